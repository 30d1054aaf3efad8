#pragma once
/// The project a study belongs to, named in its report's provenance ("project").
///
/// The harness library defines study_project() as initlab's own identity (project.cpp, alone in
/// its object file). A user's study built with initlab_add_study() (cmake/initlabStudy.cmake,
/// installed with the package) links a generated definition that names the user's project, its
/// version and its git commit instead; the linker then never pulls project.o from the archive.

#include <string>

namespace initlab::study {

/// Name, version and git state of the project that built a study binary.
struct project_identity {
  std::string name;        ///< CMake project name ("initlab" for initlab's own studies)
  std::string version;     ///< its PROJECT_VERSION ("" if none)
  std::string git_commit;  ///< HEAD of its source tree at build time, or "unknown"
  int git_dirty = -1;      ///< 1: uncommitted changes, 0: clean, -1: unknown
};

/// The project of this study binary (see above).
[[nodiscard]] project_identity study_project();

}  // namespace initlab::study
