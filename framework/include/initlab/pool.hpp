#pragma once
/// From images to units: `flatten<C, H, W>` (C × H × W image → C·H·W units, a relabelling) and
/// global average pooling (`global_avg_pool` for any image size, `global_avg_pool_of<H, W>` for a
/// fixed one); their maps and run-time passes.
///
/// Maps. flatten moves values without changing them, so its maps are the identity (exact).
/// Global average pooling z = (1/P)·Σ_p x_p over the P = H·W pixels of a channel gives
///     E[z²] = (1/P)·q + (1 − 1/P)·c_pix,   E[z] = m (exact),   E[z_b z_b'] = c_pair
/// where c_pix is the mean of E[x_p x_p'] over pixel pairs p ≠ p' of one sample and c_pair the
/// mean of E[x_{b,p} x_{b',p'}] over all pixel pairs of two samples b ≠ b'. The signal carries
/// neither; we take both equal to `cross`, i.e. any two distinct (sample, pixel) locations
/// correlate like one pixel of two different inputs. That holds when the network input's pixels
/// are i.i.d. like its samples and every layer before treats all locations alike (convolutions
/// with circular padding or away from the border, pointwise activations, residual sums), to the
/// precision of those layers' own maps; an input with spatial structure or zero padding's border
/// breaks it, and the map is then a model, not a result. So
///     E[z²] = cross + (q − cross)/P,   E[(∂L/∂x_p)²] = E[(∂L/∂z)²]/P²   (per pixel: ∂z/∂x_p = 1/P)
/// `global_avg_pool_of<H, W>` uses these with P = H·W. `global_avg_pool` takes any image, so P is
/// not known at compile time: its `forward`/`backward` are the infinite-image limit P → ∞
/// (E[z²] = cross, per-pixel gradient 0); `forward_for_pixels`/`backward_for_pixels` give the
/// finite-P values.

#include <cstddef>
#include <cstring>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/layer.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/signal.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

namespace detail {
/// "{c, h, w}" for error messages.
inline std::string pool_shape_text(shape s) {
  // Appends, not a chain of operator+: GCC 12 at -O3 warns falsely (-Wrestrict) on the chain.
  std::string t = "{";
  t += std::to_string(s.channels);
  t += ", ";
  t += std::to_string(s.height);
  t += ", ";
  t += std::to_string(s.width);
  t += "}";
  return t;
}
}  // namespace detail

/// Run-time flatten: takes exactly `image`, hands on image.size() × 1 × 1. The batch layout is
/// feature-major with f = (c·H + i)·W + j (layer.hpp), already the flattened order: a copy.
class flatten_pass final : public cloneable_pass<flatten_pass> {
 public:
  explicit flatten_pass(shape image) : image_(image) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "flatten"; }
  shape bind(shape input) override {
    // Exactly {C, H, W}: {H, C, W} has the same size but would silently scramble the features.
    if (!(input == image_))
      throw std::invalid_argument("initlab::flatten: takes " + detail::pool_shape_text(image_) +
                                  ", gets " + detail::pool_shape_text(input));
    return {image_.size(), 1, 1};
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    n_ = image_.size() * batch;
    std::memcpy(out, x, n_ * sizeof(double));  // <cstring>, not <algorithm>: cheaper to include
  }
  void backward(const double* dout, double* dx) override {
    std::memcpy(dx, dout, n_ * sizeof(double));
  }

 private:
  shape image_;
  std::size_t n_ = 0;
};

/// Run-time global average pooling: {C, H, W} → {C, 1, 1}, z = (Σ_p x_p)/P with the P = H·W
/// pixels summed in ascending order (p = i·W + j) from +0.0, then one division (the correctly
/// rounded mean of that sum); backward dx_p = dz/P. A nonzero height × width fixes the image size
/// (global_avg_pool_of); 0 × 0 takes any.
class global_avg_pool_pass final : public cloneable_pass<global_avg_pool_pass> {
 public:
  explicit global_avg_pool_pass(std::size_t height = 0, std::size_t width = 0)
      : height_(height), width_(width) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "global_avg_pool"; }
  shape bind(shape input) override {
    if (input.size() == 0)
      throw std::invalid_argument("initlab::global_avg_pool: empty input " +
                                  detail::pool_shape_text(input));
    if (height_ != 0 && (input.height != height_ || input.width != width_))
      throw std::invalid_argument("initlab::global_avg_pool_of<" + std::to_string(height_) + ", " +
                                  std::to_string(width_) + ">: gets an image " +
                                  detail::pool_shape_text(input));
    channels_ = input.channels;
    pixels_ = input.height * input.width;
    return {channels_, 1, 1};
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    batch_ = batch;
    const double p = static_cast<double>(pixels_);
    for (std::size_t c = 0; c < channels_; ++c) {
      double* z = out + c * batch;
      // Pixel outermost, batch innermost: each z[b] is still one accumulator over ascending p,
      // and the reads are contiguous.
      for (std::size_t b = 0; b < batch; ++b)
        z[b] = 0.0;
      for (std::size_t k = 0; k < pixels_; ++k) {
        const double* xk = x + (c * pixels_ + k) * batch;
        for (std::size_t b = 0; b < batch; ++b)
          z[b] = z[b] + xk[b];
      }
      for (std::size_t b = 0; b < batch; ++b)
        z[b] = z[b] / p;
    }
  }
  void backward(const double* dout, double* dx) override {
    const double p = static_cast<double>(pixels_);
    for (std::size_t c = 0; c < channels_; ++c)
      for (std::size_t k = 0; k < pixels_; ++k)
        for (std::size_t b = 0; b < batch_; ++b)
          dx[(c * pixels_ + k) * batch_ + b] = dout[c * batch_ + b] / p;
  }

 private:
  std::size_t height_, width_;
  std::size_t channels_ = 0, pixels_ = 0, batch_ = 0;
};

/// C × H × W image → C·H·W units (feature (c·H + i)·W + j); widths: C in, C·H·W out.
template <std::size_t Channels, std::size_t Height, std::size_t Width>
struct flatten {
  static_assert(Channels > 0 && Height > 0 && Width > 0,
                "initlab::flatten: Channels, Height and Width must be positive");
  static constexpr std::size_t channels = Channels;                    ///< C
  static constexpr std::size_t height = Height;                        ///< H
  static constexpr std::size_t width = Width;                          ///< W
  static constexpr std::size_t in_width = Channels;                    ///< channels, like conv2d
  static constexpr std::size_t out_width = Channels * Height * Width;  ///< units to a dense head

  /// Identity: every unit is one pixel value, unchanged (exact).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept { return in; }
  /// Identity (exact).
  [[nodiscard]] static constexpr double backward(signal, double g) noexcept { return g; }
  /// The run-time pass.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<flatten_pass>(shape{Channels, Height, Width});
  }
};

/// Mean over the pixels of each channel, any image size: {C, H, W} → {C, 1, 1}. Its `forward` and
/// `backward` are the infinite-image limit (header comment); use `global_avg_pool_of<H, W>` or
/// the `_for_pixels` maps for a known size.
struct global_avg_pool {
  static constexpr std::size_t in_width = 0;   ///< any channel count
  static constexpr std::size_t out_width = 0;  ///< the same channel count

  /// Moments of z for P pixels: {cross + (q − cross)/P, mean, cross} (pixels correlate like two
  /// inputs: header comment); throws std::invalid_argument for P = 0.
  [[nodiscard]] static constexpr signal forward_for_pixels(signal in, std::size_t pixels) {
    if (pixels == 0) throw std::invalid_argument("initlab::global_avg_pool: zero pixels");
    const double p = static_cast<double>(pixels);
    return {in.cross + (in.q - in.cross) / p, in.mean, in.cross};
  }
  /// E[(∂L/∂x_p)²] = g/P² per pixel (exact: ∂z/∂x_p = 1/P); throws for P = 0.
  [[nodiscard]] static constexpr double backward_for_pixels(signal, double g, std::size_t pixels) {
    if (pixels == 0) throw std::invalid_argument("initlab::global_avg_pool: zero pixels");
    const double p = static_cast<double>(pixels);
    return g / (p * p);
  }
  /// The P → ∞ limit of forward_for_pixels: {cross, mean, cross}.
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return {in.cross, in.mean, in.cross};
  }
  /// The P → ∞ limit of backward_for_pixels: 0 (each pixel's share g/P² vanishes; the sum over a
  /// channel's pixels, g/P, too).
  [[nodiscard]] static constexpr double backward(signal, double) noexcept { return 0.0; }
  /// The run-time pass (any H × W).
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<global_avg_pool_pass>();
  }
};

/// Global average pooling of a Height × Width image: the maps at P = Height·Width; the pass
/// rejects other image sizes.
template <std::size_t Height, std::size_t Width>
struct global_avg_pool_of {
  static_assert(Height > 0 && Width > 0,
                "initlab::global_avg_pool_of: Height and Width must be positive");
  static constexpr std::size_t height = Height;          ///< H
  static constexpr std::size_t width = Width;            ///< W
  static constexpr std::size_t pixels = Height * Width;  ///< P
  static constexpr std::size_t in_width = 0;             ///< any channel count
  static constexpr std::size_t out_width = 0;            ///< the same channel count

  /// {cross + (q − cross)/P, mean, cross}.
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return global_avg_pool::forward_for_pixels(in, pixels);
  }
  /// g/P² per pixel.
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return global_avg_pool::backward_for_pixels(in, g, pixels);
  }
  /// The run-time pass (only H × W images).
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<global_avg_pool_pass>(Height, Width);
  }
};

}  // namespace initlab

INITLAB_FP_STRICT_END
