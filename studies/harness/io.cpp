/// Output location checks and the atomic report write (POSIX).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "internal.hpp"

namespace initlab::study::detail {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

std::string errno_text(int e) {
  return std::strerror(e);
}

/// Directory that receives the temporary file: the parent of path, "." when none.
fs::path directory_of(const fs::path& path) {
  const fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

/// Creates the temporary file next to path; returns its descriptor and name.
int make_temporary(const fs::path& path, std::string& name) {
  std::string pattern = (directory_of(path) / temporary_prefix(path)).string() + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) {
    const int e = errno;
    throw io_error("cannot create a file in output directory " + quoted(directory_of(path)) + ": " +
                   errno_text(e));
  }
  name.assign(buf.data());
  return fd;
}

}  // namespace

std::string temporary_prefix(const fs::path& path) {
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict, PR 105651) on "." + s + "...".
  std::string prefix(".");
  prefix.append(path.filename().string());
  prefix.append(".tmp.");
  return prefix;
}

void check_output_location(const fs::path& path) {
  if (path.empty()) throw io_error("--out: empty file name");
  if (!path.has_filename() || path.filename() == "." || path.filename() == "..")
    throw io_error("--out " + quoted(path) + " names a directory, not a file");
  const fs::path dir = directory_of(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    const int e = errno;
    throw io_error("output directory " + quoted(dir) + " is not accessible: " + errno_text(e));
  }
  if (!S_ISDIR(st.st_mode))
    throw io_error("output directory " + quoted(dir) + " is not a directory");
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw io_error("--out " + quoted(path) + " is a directory");
    if (!S_ISREG(st.st_mode))
      throw io_error("--out " + quoted(path) + " exists and is not a regular file");
  } else if (errno != ENOENT) {
    const int e = errno;
    throw io_error("cannot inspect --out " + quoted(path) + ": " + errno_text(e));
  }
  // The only reliable test of "a new file can be created here" (root ignores permission
  // bits; read-only mounts do not): create the temporary file and remove it again.
  std::string name;
  const int fd = make_temporary(path, name);
  ::close(fd);
  ::unlink(name.c_str());
}

void write_atomically(const fs::path& path, std::string_view content) {
  check_output_location(path);  // the location may have changed during the computation
  std::string name;
  const int fd = make_temporary(path, name);
  auto fail = [&](const std::string& what, int e, bool close_fd) {
    if (close_fd) ::close(fd);
    ::unlink(name.c_str());
    throw io_error(what + " " + quoted(path) + ": " + errno_text(e));
  };
  // mkstemp creates mode 0600; a report is an ordinary file (0666 & ~umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail("cannot set permissions of report", errno, true);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write report", errno, true);
    }
    if (n == 0) fail("cannot write report", EIO, true);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot flush report", errno, true);
  if (::close(fd) != 0) fail("cannot close report", errno, false);
  if (::rename(name.c_str(), path.c_str()) != 0) fail("cannot rename report into", errno, false);
  // Make the rename itself durable; a failure here leaves a complete report, so ignore it.
  const int dfd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace initlab::study::detail
