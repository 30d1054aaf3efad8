#pragma once
/// The Fashion-MNIST data set (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747): 60,000 training and
/// 10,000 test images of 28 × 28 grey pixels in 10 balanced classes, read from the four gzipped
/// IDX files of Debian's `dataset-fashion-mnist` (idx.hpp) and checked: magic numbers, 28 × 28,
/// 60,000 / 10,000 samples, as many labels as images, every label < 10, every test class 1,000
/// times (so a class-blind predictor scores exactly 1/10). Nothing is ever downloaded.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initlab/dataset.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/idx.hpp>
#include <initlab/sha256.hpp>
#include <span>
#include <string>
#include <system_error>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Where Debian's `dataset-fashion-mnist` installs the files (`dpkg -L dataset-fashion-mnist`).
inline constexpr const char* fashion_mnist_default_dir = "/usr/share/datasets/fashion-mnist";
/// K: number of classes.
inline constexpr std::size_t fashion_mnist_classes = 10;
/// Image rows and columns.
inline constexpr std::size_t fashion_mnist_rows = 28, fashion_mnist_cols = 28;
/// Features per image (784).
inline constexpr std::size_t fashion_mnist_pixels = fashion_mnist_rows * fashion_mnist_cols;
/// Samples in the training and the test split.
inline constexpr std::size_t fashion_mnist_train_size = 60000, fashion_mnist_test_size = 10000;
/// The four file names, in the order train images, train labels, test images, test labels.
inline constexpr std::array<const char*, 4> fashion_mnist_files{
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz"};

/// One data file as a report names it.
struct data_file {
  std::string name;          ///< file name inside the data directory
  std::uintmax_t bytes = 0;  ///< size of the (compressed) file
  std::string sha256;        ///< SHA-256 of the file, lower-case hex
};

/// The loaded set: both splits and the files they came from.
struct fashion_mnist {
  labelled_images train, test;
  std::array<data_file, 4> files;  ///< in the order of fashion_mnist_files
};

namespace detail {

inline labelled_images load_split(const std::filesystem::path& dir, const char* images_name,
                                  const char* labels_name, std::size_t expected,
                                  data_file& images_file, data_file& labels_file) {
  const idx_array images = read_idx_gz(dir / images_name, 3);
  const idx_array labels = read_idx_gz(dir / labels_name, 1);
  const std::string iq = quoted_path(images.path), lq = quoted_path(labels.path);
  if (images.dims[0] != expected || images.dims[1] != fashion_mnist_rows ||
      images.dims[2] != fashion_mnist_cols)
    throw data_error(iq + ": " + std::to_string(images.dims[0]) + " images of " +
                     std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]) +
                     ", expected " + std::to_string(expected) + " of 28x28");
  if (labels.dims[0] != expected)
    throw data_error(lq + ": " + std::to_string(labels.dims[0]) + " labels, expected " +
                     std::to_string(expected));
  for (std::size_t i = 0; i < labels.values.size(); ++i)
    if (labels.values[i] >= fashion_mnist_classes)
      throw data_error(lq + ": label " + std::to_string(labels.values[i]) + " of sample " +
                       std::to_string(i) + " is out of range 0..9");
  images_file = {images_name, images.file_bytes, to_hex(images.sha256)};
  labels_file = {labels_name, labels.file_bytes, to_hex(labels.sha256)};
  return {expected, fashion_mnist_pixels, fashion_mnist_classes, images.values, labels.values};
}

}  // namespace detail

/// Loads and checks Fashion-MNIST from `dir` (default: Debian's location). Throws data_error,
/// one line naming the directory or file, for a missing directory or file and every defect
/// idx.hpp detects, wrong sizes, a label ≥ 10 or an unbalanced test split.
[[nodiscard]] inline fashion_mnist load_fashion_mnist(
    const std::filesystem::path& dir = fashion_mnist_default_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw data_error(detail::quoted_path(dir) +
                     ": not a directory holding Fashion-MNIST (install the Debian package "
                     "dataset-fashion-mnist, or give --data DIR)");
  for (const char* name : fashion_mnist_files)
    if (!std::filesystem::exists(dir / name, ec))
      throw data_error(detail::quoted_path(dir) + " does not hold the Fashion-MNIST set: " + name +
                       " is missing");
  fashion_mnist set;
  set.train = detail::load_split(dir, fashion_mnist_files[0], fashion_mnist_files[1],
                                 fashion_mnist_train_size, set.files[0], set.files[1]);
  set.test = detail::load_split(dir, fashion_mnist_files[2], fashion_mnist_files[3],
                                fashion_mnist_test_size, set.files[2], set.files[3]);
  for (const std::size_t c : set.test.class_counts())
    if (c != fashion_mnist_test_size / fashion_mnist_classes)
      throw data_error(detail::quoted_path(dir / fashion_mnist_files[3]) +
                       ": the test classes are not balanced (1000 each)");
  return set;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
