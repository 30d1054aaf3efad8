#pragma once
/// `serial<L...>` (= `network<L...>`): layer kinds in sequence, itself a layer kind; nested
/// serials flatten, activation types become `activation_layer`s, `repeat<N, L...>` is N copies
/// of `serial<L...>`. Widths are checked at compile time, naming the offending layer.

#include <array>
#include <cstddef>
#include <initlab/activation_layer.hpp>
#include <initlab/detail/fp_strict.hpp>
#include <initlab/layer.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/signal.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

INITLAB_FP_STRICT_BEGIN

namespace initlab {

/// Width check of layer `Layer` (0-based position in the flattened serial): when InWidth differs
/// from PreviousOutWidth (the width the layers before it hand on), the compiler reports the
/// static_assert below *in instantiation of layer_widths_match<Layer, InWidth, PreviousOutWidth>*,
/// so the diagnostic names the offending layer and both widths.
template <std::size_t Layer, std::size_t InWidth, std::size_t PreviousOutWidth>
struct layer_widths_match {
  static_assert(InWidth == PreviousOutWidth,
                "initlab::network: layer widths do not match: network::layer<Layer>::in_width "
                "(template argument 2 of layer_widths_match<Layer, InWidth, PreviousOutWidth>) "
                "must equal the width the layers before it hand on (template argument 3); Layer "
                "is the 0-based position of the offending layer");
  /// Always true: a mismatch already fired the static_assert above.
  static constexpr bool value = true;
};

namespace detail {

/// Width entering each layer (0: not fixed yet, only width-preserving layers before it) and the
/// width leaving the whole sequence, from the layers' in_width/out_width (0 = any / preserved).
template <class... L>
struct width_chain {
  static constexpr std::size_t n = sizeof...(L);
  static constexpr std::array<std::size_t, n> in{L::in_width...};
  static constexpr std::array<std::size_t, n> out{L::out_width...};
  static constexpr std::array<std::size_t, n + 1> entering = [] {
    std::array<std::size_t, n + 1> e{};
    std::size_t w = 0;
    for (std::size_t i = 0; i < n; ++i) {
      e[i] = w;
      if (out[i] != 0)
        w = out[i];
      else if (in[i] != 0)
        w = in[i];
    }
    e[n] = w;
    return e;
  }();
  /// The first fixed input width (what the sequence takes), 0 if every layer preserves widths.
  static constexpr std::size_t first_in = [] {
    for (std::size_t i = 0; i < n; ++i) {
      if (in[i] != 0) return in[i];
      if (out[i] != 0) return std::size_t{0};
    }
    return std::size_t{0};
  }();
  /// Position of the first layer whose fixed input width differs from what it is handed; n if none.
  static constexpr std::size_t first_mismatch = [] {
    for (std::size_t i = 0; i < n; ++i)
      if (in[i] != 0 && entering[i] != 0 && in[i] != entering[i]) return i;
    return n;
  }();
  static constexpr bool ok = first_mismatch == n;
};

/// True, or the static_assert of layer_widths_match naming the first offending layer. Only that
/// one layer_widths_match is instantiated: a fold over all N layers would nest N deep (Clang
/// rejects a fold of more than -fbracket-depth = 256 operands).
template <class... L>
constexpr bool check_widths() noexcept {
  using chain = width_chain<L...>;
  constexpr std::size_t bad = chain::first_mismatch;
  if constexpr (bad == chain::n) {
    return true;
  } else {
    return layer_widths_match<bad, chain::in[bad], chain::entering[bad]>::value;
  }
}

/// Whether every flag is true, by a loop (not a fold: see check_widths).
template <std::size_t N>
[[nodiscard]] constexpr bool all_of(const std::array<bool, N>& flags) noexcept {
  for (const bool f : flags)
    if (!f) return false;
  return true;
}

/// Layer L's maps behind one function type each, so a serial keeps them in arrays and walks its
/// layers in a loop. A loop's nesting does not grow with the depth (a fold expression's does),
/// and N identical layers instantiate these once (a fold instantiates one lambda per position).
template <class L>
[[nodiscard]] constexpr signal forward_map(signal in) noexcept {
  return L::forward(in);
}
template <class L>
[[nodiscard]] constexpr double backward_map(signal in, double g) noexcept {
  return L::backward(in, g);
}
template <class L>
[[nodiscard]] pass_ptr<layer_pass> make_pass_of() {
  return L::make_pass();
}

/// The forward and backward maps and pass factories of the layers L..., by position.
template <class... L>
struct map_table {
  static constexpr std::array<signal (*)(signal) noexcept, sizeof...(L)> forward{
      &forward_map<L>...};
  static constexpr std::array<double (*)(signal, double) noexcept, sizeof...(L)> backward{
      &backward_map<L>...};
  static constexpr std::array<pass_ptr<layer_pass> (*)(), sizeof...(L)> make_pass{
      &make_pass_of<L>...};
};

}  // namespace detail

/// Run-time sequence of passes: part k gets streams weights.child(k), biases.child(k) (the same
/// rule by which the engine gives top-level layer l its streams). Its pre-activation is that of
/// its last part, so a gradient seed at the network's end enters where the engine reports it.
class serial_pass final : public layer_pass {
 public:
  explicit serial_pass(std::vector<pass_ptr<layer_pass>> parts) : parts_(std::move(parts)) {
    if (parts_.empty()) throw std::invalid_argument("initlab::serial: no layers");
  }
  serial_pass(const serial_pass& o) : shapes_(o.shapes_), batch_(o.batch_) {
    parts_.reserve(o.parts_.size());
    for (const auto& p : o.parts_)
      parts_.push_back(p->clone());
    outputs_.resize(parts_.size());
    gradients_.resize(parts_.size());
  }
  serial_pass& operator=(const serial_pass&) = delete;
  [[nodiscard]] pass_ptr<layer_pass> clone() const override {
    return make_pass_ptr<serial_pass>(*this);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "serial"; }
  shape bind(shape input) override {
    shapes_.assign(1, input);
    for (std::size_t k = 0; k < parts_.size(); ++k) {
      try {
        shapes_.push_back(parts_[k]->bind(shapes_.back()));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("layer " + std::to_string(k) + ": " + e.what());
      }
    }
    outputs_.resize(parts_.size());
    gradients_.resize(parts_.size());
    return shapes_.back();
  }
  void sample(const stream& weights, const stream& biases,
              const parameter_sampler& sampler) override {
    for (std::size_t k = 0; k < parts_.size(); ++k)
      parts_[k]->sample(weights.child(k), biases.child(k), sampler);
  }
  void forward(const double* x, double* out, std::size_t batch) override {
    batch_ = batch;
    x_ = x;
    const double* in = x;
    for (std::size_t k = 0; k < parts_.size(); ++k) {
      double* o = out;
      if (k + 1 < parts_.size()) {
        outputs_[k].resize(shapes_[k + 1].size() * batch);
        o = outputs_[k].data();
      }
      parts_[k]->forward(in, o, batch);
      in = o;
    }
  }
  void backward(const double* dout, double* dx) override { backward_from(dout, dx, false); }
  void backward_from_pre_activation(const double* dy, double* dx) override {
    backward_from(dy, dx, true);
  }
  [[nodiscard]] const double* pre_activation() const noexcept override {
    return parts_.back()->pre_activation();
  }
  [[nodiscard]] const double* pre_activation_gradient() const noexcept override {
    return parts_.back()->pre_activation_gradient();
  }
  void compute_gradients() override {
    for (auto& p : parts_)
      p->compute_gradients();
  }
  void sgd_step(double learning_rate) override {
    for (auto& p : parts_)
      p->sgd_step(learning_rate);
  }
  /// Number of parts.
  [[nodiscard]] std::size_t size() const noexcept { return parts_.size(); }
  /// Part k.
  [[nodiscard]] layer_pass& part(std::size_t k) { return *parts_.at(k); }
  [[nodiscard]] const layer_pass& part(std::size_t k) const { return *parts_.at(k); }
  /// Shape entering part k (k = size(): the output shape).
  [[nodiscard]] shape shape_at(std::size_t k) const { return shapes_.at(k); }
  /// Output of part k of the last forward pass (k < size() − 1; the last one is the caller's).
  [[nodiscard]] const double* output_of(std::size_t k) const { return outputs_.at(k).data(); }
  /// ∂L/∂(input of part k) of the last backward pass, for k ≥ 1 (k = 0 is the caller's dx).
  [[nodiscard]] const double* input_gradient_of(std::size_t k) const {
    return gradients_.at(k).data();
  }

 private:
  void backward_from(const double* dout, double* dx, bool at_pre_activation) {
    const double* g = dout;
    for (std::size_t k = parts_.size(); k-- > 0;) {
      double* d = dx;
      if (k > 0) {
        gradients_[k].resize(shapes_[k].size() * batch_);
        d = gradients_[k].data();
      }
      if (at_pre_activation && k + 1 == parts_.size())
        parts_[k]->backward_from_pre_activation(g, d);
      else
        parts_[k]->backward(g, d);
      g = d;
    }
  }

  std::vector<pass_ptr<layer_pass>> parts_;
  std::vector<shape> shapes_;
  std::vector<std::vector<double>> outputs_, gradients_;
  const double* x_ = nullptr;
  std::size_t batch_ = 0;
};

namespace detail {

/// The I-th type of a pack in O(1) instantiations: one class derives from indexed<i, T_i> for
/// every i, and overload resolution picks base I. (std::tuple_element in GCC 12's libstdc++
/// recurses I/3 levels, each with a pack of ~N types: O(N³) work for all N lookups of a
/// depth-N network, the bulk of compiling a depth-1000 profile.)
template <std::size_t I, class T>
struct indexed {
  using type = T;
};
template <class Indices, class... T>
struct indexer;
template <std::size_t... I, class... T>
struct indexer<std::index_sequence<I...>, T...> : indexed<I, T>... {};
template <std::size_t I, class T>
indexed<I, T> select_indexed(const indexed<I, T>&);  // declaration only: unevaluated use
template <std::size_t I, class... T>
using pack_element = typename decltype(select_indexed<I>(
    std::declval<const indexer<std::index_sequence_for<T...>, T...>&>()))::type;

}  // namespace detail

/// The flattened sequence behind `serial<L...>` and `network<L...>`: every L a layer kind.
template <class... Layers>
struct basic_serial {
  static_assert(sizeof...(Layers) > 0, "initlab::network: a network needs at least one layer");
  static_assert(detail::all_of(std::array<bool, sizeof...(Layers)>{layer_kind<Layers>...}),
                "initlab::network: every template argument must be a layer descriptor "
                "(a layer kind such as initlab::dense, initlab::conv2d, initlab::batch_norm, or an "
                "activation type)");

  /// Number of (flattened) layers N.
  static constexpr std::size_t depth = sizeof...(Layers);
  /// The I-th layer, 0-based.
  template <std::size_t I>
  requires(I < sizeof...(Layers)) using layer = detail::pack_element<I, Layers...>;

 private:
  using chain = detail::width_chain<Layers...>;
  using maps = detail::map_table<Layers...>;

 public:
  /// Width the sequence takes (0: any, if it only has width-preserving layers).
  static constexpr std::size_t in_width = chain::first_in;
  /// Width it hands on (0: the same as its input).
  static constexpr std::size_t out_width = chain::entering[depth];
  /// Width of the network input (in_width of its first layer that fixes one).
  static constexpr std::size_t input_width = in_width;
  /// Width of the network output.
  static constexpr std::size_t output_width = out_width;

  // A static_assert (not a static data member) so the check runs whenever the type is used.
  static_assert(detail::check_widths<Layers...>());

  /// The moments entering each layer (index I) and leaving the last (index N).
  [[nodiscard]] static constexpr std::array<signal, depth + 1> signals(signal in) noexcept {
    std::array<signal, depth + 1> s{};
    s[0] = in;
    for (std::size_t i = 0; i < depth; ++i)
      s[i + 1] = maps::forward[i](s[i]);
    return s;
  }
  /// Moments of the output.
  [[nodiscard]] static constexpr signal forward(signal in) noexcept {
    return signals(in)[depth];
  }
  /// E[(∂L/∂x)²] at the input from E[(∂L/∂out)²] at the output.
  [[nodiscard]] static constexpr double backward(signal in, double g) noexcept {
    return backward_impl(signals(in), g, false);
  }
  /// The run-time pass: a serial_pass of the layers' passes.
  [[nodiscard]] static pass_ptr<layer_pass> make_pass() {
    return make_pass_ptr<serial_pass>(make_passes());
  }
  /// The passes of the layers, one per top-level layer (what the engine samples).
  [[nodiscard]] static std::vector<pass_ptr<layer_pass>> make_passes() {
    std::vector<pass_ptr<layer_pass>> parts;
    parts.reserve(depth);
    for (const auto make : maps::make_pass)
      parts.push_back(make());
    return parts;
  }

 private:
  [[nodiscard]] static constexpr double backward_impl(const std::array<signal, depth + 1>& s,
                                                      double g, bool) noexcept {
    for (std::size_t i = depth; i-- > 0;)
      g = maps::backward[i](s[i], g);
    return g;
  }
};

namespace detail {

template <class... L>
struct type_list {};

template <class Done, class... Rest>
struct flatten;
template <class... Done>
struct flatten<type_list<Done...>> {
  using type = basic_serial<Done...>;
};
template <class... Done, class... Inner, class... Rest>
struct flatten<type_list<Done...>, basic_serial<Inner...>, Rest...>
    : flatten<type_list<Done..., Inner...>, Rest...> {};
template <class... Done, class Head, class... Rest>
struct flatten<type_list<Done...>, Head, Rest...>
    : flatten<type_list<Done..., as_layer<Head>>, Rest...> {};

template <class A, class B>
struct concat;
template <class... A, class... B>
struct concat<basic_serial<A...>, basic_serial<B...>> {
  using type = basic_serial<A..., B...>;
};

template <std::size_t N, class S>
struct repeated {
  using half = typename repeated<N / 2, S>::type;
  using twice = typename concat<half, half>::type;
  using type = std::conditional_t<N % 2 == 0, twice, typename concat<twice, S>::type>;
};
template <class S>
struct repeated<1, S> {
  using type = S;
};

}  // namespace detail

/// Layers in sequence; nested serials flatten, so serial<serial<A, B>, C> is serial<A, B, C>.
template <class... L>
using serial = typename detail::flatten<detail::type_list<>, L...>::type;

/// A network is a serial: `network<dense<…>, dense<…>>`.
template <class... L>
using network = serial<L...>;

/// N copies of serial<L...> (N ≥ 1), flattened into the enclosing serial.
template <std::size_t N, class... L>
requires(N >= 1) using repeat = typename detail::repeated<N, serial<L...>>::type;

namespace detail {
template <class T>
inline constexpr bool is_network = false;
template <class... L>
inline constexpr bool is_network<basic_serial<L...>> = true;
}  // namespace detail

/// A `network<...>` / `serial<...>`.
template <class Net>
concept network_type = detail::is_network<Net>;

/// Whether consecutive layers agree on widths, without asserting (tests, requires clauses).
template <class... Layers>
[[nodiscard]] constexpr bool widths_match() noexcept {
  return detail::width_chain<as_layer<Layers>...>::ok;
}

}  // namespace initlab

INITLAB_FP_STRICT_END
