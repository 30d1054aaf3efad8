#pragma once
/// `conv2d<CIn, COut, KH, KW, Init, Act, Options, Bias>`: a 2-D convolution with stride, groups
/// and padding, then h = Act(y); its maps and its run-time pass.
///
/// Maps (THEORY.md §9; He et al. 2015), weights of shape COut × (CIn/g) × KH × KW, zero-mean of
/// variance σ²:
///     fan_in = (CIn/g)·KH·KW,  fan_out = (COut/g)·KH·KW   (per group: PyTorch's
///                                                          _calculate_fan_in_and_fan_out uses
///                                                          COut·KH·KW, pytorch#23854)
///     E[y²] = fan_in·σ²·E[x²] + E[b²]                       (every tap inside the image)
///     E[(∂L/∂x)²] = fan_out·σ²·E[(∂L/∂y)²] / stride²        (each input pixel feeds
///                                                          KH·KW/stride² outputs per channel)
/// Limits: the forward map is exact for circular padding and for interior pixels with zero
/// padding (a border pixel sees only n_ij of the KH·KW taps: `zero_padding_tap_fraction` gives
/// the image average, `border_forward_second_moment` one pixel); the backward map holds on
/// average over the pixels when the stride divides the image and assumes gradient independence.
///
/// Geometry (one axis; rows and columns alike), input extent n, kernel k, stride s: output o's
/// tap t (0 ≤ t < k) reads input position o·s + t − p, with p = ⌊(k − 1)/2⌋ for both 'same'
/// paddings and p = 0 for valid. 'Same' outputs number ⌈n/s⌉: at stride 1 this is Keras/TF
/// 'same' (pad ⌊(k−1)/2⌋ before, ⌈(k−1)/2⌉ after); at any stride, for odd k, it is PyTorch's
/// padding=(k−1)/2 (output o centred on input o·s). TF at stride > 1 instead pads
/// ⌊max((⌈n/s⌉−1)·s + k − n, 0)/2⌋ before, which can shift the grid by one pixel. Zero padding
/// skips taps outside [0, n); circular padding reads position (o·s + t − p) mod n.

#include <cstddef>
#include <initlab/activation.hpp>
#include <initlab/activation_layer.hpp>
#include <initlab/dense.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/detail/kernels.hpp>
#include <initlab/init.hpp>
#include <initlab/layer.hpp>
#include <initlab/parameter_sampler.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/signal.hpp>
#include <initlab/weight_law.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// How a convolution treats the image border.
enum class padding {
  same_zero,      ///< output size ⌈H/s⌉, taps outside the image read 0
  same_circular,  ///< output size ⌈H/s⌉, the image wraps around (a torus: no border)
  valid,          ///< no padding: output size ⌊(H − KH)/s⌋ + 1
};

/// Structural options of conv2d (usable as a template argument).
struct conv_options {
  std::size_t stride = 1;                                  ///< s, the same along rows and columns
  initlab::padding padding = initlab::padding::same_zero;  ///< border treatment
  std::size_t groups = 1;                                  ///< g: channels split into g groups
};

namespace detail {

/// Tap-table entry of a tap that falls outside the image (zero padding): it contributes nothing.
inline constexpr std::size_t conv_no_tap = static_cast<std::size_t>(-1);

/// Output extent along one axis: ⌈n/s⌉ for 'same', ⌊(n − k)/s⌋ + 1 for valid (0 if n < k).
[[nodiscard]] constexpr std::size_t conv_output_extent(std::size_t n, std::size_t k, std::size_t s,
                                                       padding p) noexcept {
  if (p == padding::valid) return n < k ? 0 : (n - k) / s + 1;
  return (n + s - 1) / s;
}

/// p, the offset of tap 0 before o·s: ⌊(k − 1)/2⌋ for 'same' (Keras/TF at stride 1), 0 for valid.
[[nodiscard]] constexpr std::size_t conv_tap_offset(std::size_t k, padding p) noexcept {
  return p == padding::valid ? 0 : (k - 1) / 2;
}

/// Input position read by tap t of output o along an axis of extent n (header comment), or
/// conv_no_tap outside the image with zero padding.
[[nodiscard]] constexpr std::size_t conv_tap(std::size_t o, std::size_t t, std::size_t n,
                                             std::size_t k, std::size_t s, padding p) noexcept {
  const std::size_t off = conv_tap_offset(k, p);
  const std::size_t u = o * s + t;  // position + off: kept unsigned, so never negative
  // (u − off) mod n without going below zero: off mod n < n ≤ u + n.
  if (p == padding::same_circular) return (u + n - off % n) % n;
  if (u < off || u - off >= n) return conv_no_tap;
  return u - off;
}

/// n_o: the taps of a kernel of extent k that fall inside the image for output o (k unless zero
/// padding cuts some off).
[[nodiscard]] constexpr std::size_t conv_taps_inside(std::size_t o, std::size_t n, std::size_t k,
                                                     std::size_t s, padding p) noexcept {
  std::size_t inside = 0;
  for (std::size_t t = 0; t < k; ++t)
    if (conv_tap(o, t, n, k, s, p) != conv_no_tap) ++inside;
  return inside;
}

}  // namespace detail

// ---- conv2d_pass: the run-time pass (see below the descriptor) --------------------------------
class conv2d_pass;

/// 2-D convolution layer kind; widths (what consecutive layers agree on) are channel counts.
template <std::size_t CIn, std::size_t COut, std::size_t KH, std::size_t KW, class Init,
          class Act = identity, conv_options Options = conv_options{}, class Bias = no_bias>
struct conv2d {
  static_assert(CIn > 0, "initlab::conv2d: CIn (input channels) must be positive");
  static_assert(COut > 0, "initlab::conv2d: COut (output channels) must be positive");
  static_assert(KH > 0 && KW > 0, "initlab::conv2d: the kernel size KH x KW must be positive");
  static_assert(Options.stride > 0, "initlab::conv2d: the stride must be positive");
  static_assert(Options.groups > 0 && CIn % Options.groups == 0 && COut % Options.groups == 0,
                "initlab::conv2d: groups must divide both CIn and COut");
  static_assert(initializer<Init>,
                "initlab::conv2d: Init must be an initializer (variance, law, name, zero_mean)");
  static_assert(activation<Act>,
                "initlab::conv2d: Act must be an activation (second_moment, "
                "derivative_second_moment, mean, value, derivative)");

  static constexpr std::size_t in_channels = CIn;                  ///< channels read
  static constexpr std::size_t out_channels = COut;                ///< channels written
  static constexpr std::size_t kernel_height = KH;                 ///< kernel rows
  static constexpr std::size_t kernel_width = KW;                  ///< kernel columns
  static constexpr std::size_t stride = Options.stride;            ///< s
  static constexpr std::size_t groups = Options.groups;            ///< g
  static constexpr initlab::padding padding = Options.padding;     ///< border treatment
  static constexpr std::size_t fan_in = CIn / groups * KH * KW;    ///< inputs summed per output
  static constexpr std::size_t fan_out = COut / groups * KH * KW;  ///< outputs each input feeds
                                                                   ///< (stride 1)
  static constexpr std::size_t in_width = CIn;    ///< channels from the previous layer
  static constexpr std::size_t out_width = COut;  ///< channels to the next layer
  using init_type = Init;                         ///< the initializer of the kernel
  using activation_type = Act;                    ///< φ applied to y
  using bias_type = Bias;                         ///< the initializer of b, or no_bias

  /// The law of one kernel entry.
  [[nodiscard]] static constexpr weight_law law() noexcept { return Init::law(fan_in, fan_out); }
  /// σ² = Var[W] as the initializer defines it for these fans.
  [[nodiscard]] static constexpr double weight_variance() noexcept {
    return Init::variance(fan_in, fan_out);
  }
  /// E[b²] (0 without a bias).
  [[nodiscard]] static constexpr double bias_second_moment() noexcept {
    return detail::bias_moments<Bias>::second_moment(fan_in, fan_out);
  }

  /// Moments of y at an interior pixel (every pixel with circular padding).
  [[nodiscard]] static constexpr signal pre_activation(signal in) noexcept {
    return detail::affine_signal<Init, Bias>(fan_in, fan_out, in);
  }
  /// Moments of h = Act(y).
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return activation_forward<Act>(pre_activation(in));
  }
  /// E[(∂L/∂y)²] from E[(∂L/∂h)²].
  [[nodiscard]] static constexpr double pre_activation_gradient(signal in, double g) noexcept {
    return activation_backward<Act>(pre_activation(in), g);
  }
  /// E[(∂L/∂x)²] = fan_out·σ²·E[(∂L/∂y)²]/s², averaged over the input pixels.
  [[nodiscard]] static constexpr double backward_from_pre_activation(signal, double g) noexcept {
    return static_cast<double>(fan_out) * weight_variance() * g /
           static_cast<double>(stride * stride);
  }
  /// E[(∂L/∂x)²] from E[(∂L/∂h)²].
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return backward_from_pre_activation(in, pre_activation_gradient(in, g));
  }
  /// E[y_ij²] at output pixel (i, j) of a height × width input: (CIn/g)·n_ij·σ²·E[x²] + E[b²],
  /// n_ij the taps inside the image (THEORY.md §9); pre_activation(in).q wherever n_ij = KH·KW
  /// (every pixel for circular and valid padding). Needs i, j inside the output image.
  [[nodiscard]] static constexpr double border_forward_second_moment(std::size_t height,
                                                                     std::size_t width,
                                                                     std::size_t i, std::size_t j,
                                                                     signal in) noexcept {
    const std::size_t taps = detail::conv_taps_inside(i, height, KH, stride, padding) *
                             detail::conv_taps_inside(j, width, KW, stride, padding);
    // Same expression as pre_activation for a full kernel, so interior pixels match it bit for bit.
    if (taps == KH * KW) return pre_activation(in).q;
    return static_cast<double>(CIn / groups * taps) * weight_variance() * in.q +
           bias_second_moment();
  }
  /// Mean over the output pixels of n_ij/(KH·KW) for a height × width input (both ≥ 1): the
  /// factor zero padding puts on the image-average fan_in·σ²·E[x²]; 1 for circular and valid.
  [[nodiscard]] static constexpr double zero_padding_tap_fraction(std::size_t height,
                                                                  std::size_t width) noexcept {
    if constexpr (padding != initlab::padding::same_zero) {
      (void)height;
      (void)width;
      return 1.0;
    } else {
      // n_ij = n_i·n_j factorizes, so the mean is (Σ_i n_i)(Σ_j n_j)/(OH·OW·KH·KW), exact sums.
      const std::size_t oh = detail::conv_output_extent(height, KH, stride, padding);
      const std::size_t ow = detail::conv_output_extent(width, KW, stride, padding);
      std::size_t rows = 0;
      std::size_t cols = 0;
      for (std::size_t i = 0; i < oh; ++i)
        rows += detail::conv_taps_inside(i, height, KH, stride, padding);
      for (std::size_t j = 0; j < ow; ++j)
        cols += detail::conv_taps_inside(j, width, KW, stride, padding);
      return static_cast<double>(rows * cols) / static_cast<double>(oh * ow * KH * KW);
    }
  }
  /// The run-time pass.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass();
};

/// Run-time 2-D convolution y = W ⋆ x (+ b) on a batch, geometry of the header comment.
///
/// Layout: a sample's feature f = (c·H + i)·W + j, sample b of a batch of B at f·B + b; W is
/// row-major COut × (CIn/g) × KH × KW, b has one entry per output channel. Output channel co
/// reads input channels (co / (COut/g))·(CIn/g) + ci', ci' < CIn/g. Fixed summation orders
/// (each sum one accumulator from +0.0, `acc = acc + w·x`, no FMA; detail/kernels.hpp):
///   y(co, i, j, b)  = Σ over (ci', ki, kj) ascending (W's own order), then + b[co];
///   dx(ci, r, c, b) = Σ over (co' in ci's group, ki, kj) ascending of W·dy at the one output
///                     pixel (if any) whose tap (ki, kj) reads (r, c);
///   dW = (Σ_b (Σ_(i,j) dy·x, i then j ascending), b ascending) / B; db likewise with dy alone.
/// Taps outside the image are zeros in the gathered matrices: a product w·0 = ±0 leaves a partial
/// sum's bits unchanged (sums from +0.0 are never −0), so the result is the sum over in-image
/// taps alone (for finite values). Every per-sample value depends on that sample only: the batch
/// size and its split do not change the bits.
class conv2d_pass final : public cloneable_pass<conv2d_pass> {
 public:
  /// A copy with the same parameters; it keeps no pointer into the original's batch.
  [[nodiscard]] pass_ptr<layer_pass> clone() const override {
    auto copy = make_pass_ptr<conv2d_pass>(*this);
    copy->x_ = nullptr;
    copy->dy_ = nullptr;
    copy->batch_ = 0;
    return copy;
  }
  /// A CIn → COut convolution with a KH × KW kernel; W drawn from `law`, b from `bias` (none if
  /// empty). Throws std::invalid_argument for zero sizes, a zero stride, or groups that do not
  /// divide both channel counts.
  conv2d_pass(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_height,
              std::size_t kernel_width, conv_options options, weight_law law,
              std::optional<weight_law> bias = std::nullopt)
      : cin_(in_channels),
        cout_(out_channels),
        kh_(kernel_height),
        kw_(kernel_width),
        options_(options),
        law_(law),
        bias_law_(bias) {
    if (cin_ == 0 || cout_ == 0)
      throw std::invalid_argument("initlab::conv2d: zero input or output channels");
    if (kh_ == 0 || kw_ == 0) throw std::invalid_argument("initlab::conv2d: empty kernel");
    if (options_.stride == 0) throw std::invalid_argument("initlab::conv2d: zero stride");
    if (options_.groups == 0 || cin_ % options_.groups != 0 || cout_ % options_.groups != 0)
      throw std::invalid_argument("initlab::conv2d: groups (" + std::to_string(options_.groups) +
                                  ") must divide both input channels (" + std::to_string(cin_) +
                                  ") and output channels (" + std::to_string(cout_) + ")");
    w_.assign(cout_ * (cin_ / options_.groups) * kh_ * kw_, 0.0);
    b_.assign(bias ? cout_ : 0, 0.0);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "conv2d"; }
  shape bind(shape input) override {
    if (input.channels != cin_)
      throw std::invalid_argument("initlab::conv2d: takes " + std::to_string(cin_) +
                                  " input channels, gets " + std::to_string(input.channels));
    if (input.height == 0 || input.width == 0)
      throw std::invalid_argument("initlab::conv2d: empty input image");
    if (options_.padding == padding::valid && (input.height < kh_ || input.width < kw_))
      throw std::invalid_argument(
          "initlab::conv2d: valid padding needs an image at least as large as the kernel (" +
          std::to_string(kh_) + " x " + std::to_string(kw_) + "), gets " +
          std::to_string(input.height) + " x " + std::to_string(input.width));
    in_ = input;
    out_ = {cout_, detail::conv_output_extent(input.height, kh_, options_.stride, options_.padding),
            detail::conv_output_extent(input.width, kw_, options_.stride, options_.padding)};
    make_tables(in_.height, out_.height, kh_, row_tap_, row_src_);
    make_tables(in_.width, out_.width, kw_, col_tap_, col_src_);
    x_ = nullptr;
    dy_ = nullptr;
    return out_;
  }
  void sample(const stream& weights, const stream& biases,
              const parameter_sampler& sampler) override {
    sampler.fill(weights, std::span<double>(w_), law_);
    if (bias_law_) sampler.fill(biases, std::span<double>(b_), *bias_law_);
  }
  void forward(const double* x, double* y, std::size_t batch) override {
    if (in_.channels == 0) throw std::logic_error("initlab::conv2d: forward before bind");
    x_ = x;
    dy_ = nullptr;
    batch_ = batch;
    const std::size_t groups = options_.groups, cig = cin_ / groups, cog = cout_ / groups;
    const std::size_t taps = kh_ * kw_, fan_in = cig * taps;
    const std::size_t h = in_.height, w = in_.width, oh = out_.height, ow = out_.width;
    const std::size_t cols = ow * batch;
    // a(co', k) = W(g·cog + co', k) stored k-major (contiguous rows), which keeps narrow batches
    // on the fast row-tile path of ordered_product; the order over k is unchanged.
    transposed_blocks(cog, fan_in, wt_);
    gathered_.resize(fan_in * cols);
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t i = 0; i < oh; ++i) {
        // Row k = (ci', ki, kj) of the gathered matrix: the inputs tap k reads for output row i.
        double* dst = gathered_.data();
        for (std::size_t cl = 0; cl < cig; ++cl) {
          const double* xc = x + (g * cig + cl) * h * w * batch;
          for (std::size_t ki = 0; ki < kh_; ++ki) {
            const std::size_t r = row_tap_[ki * oh + i];
            for (std::size_t kj = 0; kj < kw_; ++kj, dst += cols)
              gather_row(dst, r == detail::conv_no_tap ? nullptr : xc + r * w * batch,
                         col_tap_.data() + kj * ow, ow, batch);
          }
        }
        detail::ordered_product({wt_.data() + g * cog * fan_in, 1, cog, gathered_.data(), cols,
                                 y + (g * cog * oh + i) * cols, oh * cols, cog, fan_in, cols});
      }
    if (!b_.empty())
      for (std::size_t co = 0; co < cout_; ++co) {
        double* yc = y + co * oh * ow * batch;
        for (std::size_t k = 0; k < oh * ow * batch; ++k)
          yc[k] = yc[k] + b_[co];
      }
  }
  void backward(const double* dy, double* dx) override {
    if (x_ == nullptr) throw std::logic_error("initlab::conv2d: backward needs a forward pass");
    dy_ = dy;
    const std::size_t batch = batch_;
    const std::size_t groups = options_.groups, cig = cin_ / groups, cog = cout_ / groups;
    const std::size_t taps = kh_ * kw_, depth = cog * taps;
    const std::size_t h = in_.height, w = in_.width, oh = out_.height, ow = out_.width;
    const std::size_t cols = w * batch;
    // a(ci', k) with k = (co', ki, kj): W(g·cog + co', ci', ki, kj), stored k-major.
    wt_.resize(w_.size());
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t col = 0; col < cog; ++col)
        for (std::size_t cl = 0; cl < cig; ++cl)
          for (std::size_t t = 0; t < taps; ++t)
            wt_[(g * depth + col * taps + t) * cig + cl] =
                w_[((g * cog + col) * cig + cl) * taps + t];
    gathered_.resize(depth * cols);
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t r = 0; r < h; ++r) {
        // Row k = (co', ki, kj): the output gradients that reach input row r through tap k.
        double* dst = gathered_.data();
        for (std::size_t col = 0; col < cog; ++col) {
          const double* dyc = dy + (g * cog + col) * oh * ow * batch;
          for (std::size_t ki = 0; ki < kh_; ++ki) {
            const std::size_t i = row_src_[ki * h + r];
            for (std::size_t kj = 0; kj < kw_; ++kj, dst += cols)
              gather_row(dst, i == detail::conv_no_tap ? nullptr : dyc + i * ow * batch,
                         col_src_.data() + kj * w, w, batch);
          }
        }
        detail::ordered_product({wt_.data() + g * depth * cig, 1, cig, gathered_.data(), cols,
                                 dx + (g * cig * h + r) * cols, h * cols, cig, depth, cols});
      }
  }
  [[nodiscard]] std::span<double> weights() noexcept override { return w_; }
  [[nodiscard]] std::span<double> biases() noexcept override { return b_; }
  /// ∂L/∂W and ∂L/∂b as batch means, in the order of the class comment.
  void compute_gradients() override {
    if (dy_ == nullptr)
      throw std::logic_error("initlab::conv2d: compute_gradients needs a backward pass first");
    const std::size_t batch = batch_;
    const double n = static_cast<double>(batch);
    const std::size_t groups = options_.groups, cig = cin_ / groups, cog = cout_ / groups;
    const std::size_t taps = kh_ * kw_, fan_in = cig * taps;
    const std::size_t h = in_.height, w = in_.width, oh = out_.height, ow = out_.width;
    const std::size_t pixels = oh * ow;
    dw_.assign(w_.size(), 0.0);
    // Sample-major copies (B × features) so that one sample's values are contiguous.
    detail::transpose(x_, cin_ * h * w, batch, x_by_sample_);
    detail::transpose(dy_, cout_ * pixels, batch, dy_by_sample_);
    gathered_.resize(pixels * fan_in);
    per_sample_.resize(cog * fan_in);
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t b = 0; b < batch; ++b) {
        // Sample b's inputs per (output pixel, tap): gathered(i·OW + j, k).
        for (std::size_t cl = 0; cl < cig; ++cl) {
          const double* xc = x_by_sample_.data() + (b * cin_ + g * cig + cl) * h * w;
          for (std::size_t ki = 0; ki < kh_; ++ki)
            for (std::size_t kj = 0; kj < kw_; ++kj) {
              const std::size_t k = (cl * kh_ + ki) * kw_ + kj;
              for (std::size_t i = 0; i < oh; ++i) {
                const std::size_t r = row_tap_[ki * oh + i];
                double* dst = gathered_.data() + i * ow * fan_in + k;
                for (std::size_t j = 0; j < ow; ++j, dst += fan_in) {
                  const std::size_t c = col_tap_[kj * ow + j];
                  *dst = r == detail::conv_no_tap || c == detail::conv_no_tap ? 0.0 : xc[r * w + c];
                }
              }
            }
        }
        // Sample b's gradient, summed over the pixels in order; then added in sample order.
        detail::ordered_product({dy_by_sample_.data() + (b * cout_ + g * cog) * pixels, pixels, 1,
                                 gathered_.data(), fan_in, per_sample_.data(), fan_in, cog, pixels,
                                 fan_in});
        double* dwg = dw_.data() + g * cog * fan_in;
        for (std::size_t k = 0; k < cog * fan_in; ++k)
          dwg[k] = dwg[k] + per_sample_[k];
      }
    for (double& v : dw_)
      v = v / n;
    db_.resize(b_.size());
    for (std::size_t co = 0; co < b_.size(); ++co) {
      const double* dyc = dy_ + co * pixels * batch;
      double total = 0.0;
      for (std::size_t b = 0; b < batch; ++b) {
        double acc = 0.0;
        for (std::size_t p = 0; p < pixels; ++p)
          acc = acc + dyc[p * batch + b];
        total = total + acc;
      }
      db_[co] = total / n;
    }
  }
  [[nodiscard]] std::span<const double> weight_gradients() const noexcept override { return dw_; }
  [[nodiscard]] std::span<const double> bias_gradients() const noexcept override { return db_; }
  void sgd_step(double learning_rate) override {
    if (dw_.size() != w_.size())
      throw std::logic_error("initlab::conv2d: sgd_step needs compute_gradients first");
    for (std::size_t k = 0; k < w_.size(); ++k) {
      const double step = learning_rate * dw_[k];
      w_[k] = w_[k] - step;
    }
    for (std::size_t k = 0; k < b_.size(); ++k) {
      const double step = learning_rate * db_[k];
      b_[k] = b_[k] - step;
    }
    dw_.clear();
    db_.clear();
    dy_ = nullptr;
  }

 private:
  /// tap[t·out + o]: input position read by tap t of output o (or conv_no_tap); src[t·n + p]:
  /// the output whose tap t reads input p (or conv_no_tap). src is well defined: for a fixed t,
  /// distinct outputs o < ⌈n/s⌉ have distinct o·s ∈ [0, n), hence distinct positions even mod n.
  void make_tables(std::size_t n, std::size_t out, std::size_t k, std::vector<std::size_t>& tap,
                   std::vector<std::size_t>& src) const {
    tap.assign(k * out, detail::conv_no_tap);
    src.assign(k * n, detail::conv_no_tap);
    for (std::size_t t = 0; t < k; ++t)
      for (std::size_t o = 0; o < out; ++o) {
        const std::size_t p = detail::conv_tap(o, t, n, k, options_.stride, options_.padding);
        tap[t * out + o] = p;
        if (p != detail::conv_no_tap) src[t * n + p] = o;
      }
  }
  /// dst[q·B + b] = row[index[q]·B + b] for q < count (zeros where index is conv_no_tap, or
  /// everywhere if row is null: a tap row outside the image).
  static void gather_row(double* dst, const double* row, const std::size_t* index,
                         std::size_t count, std::size_t batch) noexcept {
    for (std::size_t q = 0; q < count; ++q, dst += batch) {
      const double* src =
          row == nullptr || index[q] == detail::conv_no_tap ? nullptr : row + index[q] * batch;
      if (src == nullptr)
        for (std::size_t b = 0; b < batch; ++b)
          dst[b] = 0.0;
      else
        for (std::size_t b = 0; b < batch; ++b)
          dst[b] = src[b];
    }
  }
  /// out = W with each group's block (rows × cols, row-major) transposed in place of it.
  void transposed_blocks(std::size_t rows, std::size_t cols, std::vector<double>& out) const {
    out.resize(w_.size());
    for (std::size_t g = 0; g < options_.groups; ++g)
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
          out[g * rows * cols + c * rows + r] = w_[g * rows * cols + r * cols + c];
  }

  std::size_t cin_, cout_, kh_, kw_;
  conv_options options_;
  weight_law law_;
  std::optional<weight_law> bias_law_;
  std::vector<double> w_, b_, dw_, db_;
  std::vector<double> wt_, gathered_, per_sample_, x_by_sample_, dy_by_sample_;  // scratch
  std::vector<std::size_t> row_tap_, col_tap_, row_src_, col_src_;
  shape in_{0, 0, 0};
  shape out_{0, 0, 0};
  const double* x_ = nullptr;
  const double* dy_ = nullptr;
  std::size_t batch_ = 0;
};

/// The run-time pass: conv2d_pass inside activated_pass<Act>.
template <std::size_t CIn, std::size_t COut, std::size_t KH, std::size_t KW, class Init, class Act,
          conv_options Options, class Bias>
pass_ptr<layer_pass> conv2d<CIn, COut, KH, KW, Init, Act, Options, Bias>::make_pass() {
  return make_pass_ptr<activated_pass<Act>>(make_pass_ptr<conv2d_pass>(
      CIn, COut, KH, KW, Options, law(), detail::bias_moments<Bias>::law(fan_in, fan_out)));
}

}  // namespace initlab

INITLAB_FP_STRICT_END
