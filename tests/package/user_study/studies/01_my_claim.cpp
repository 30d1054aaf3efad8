/// Study 01 of the project my_claims (an out-of-tree study): in a He-normal ReLU pair the second
/// layer keeps the first layer's pre-activation variance, Var[y_2] = D·(2/D)·E[relu(y_1)²] =
/// Var[y_1] (initlab's THEORY.md §3), measured by seeded Monte Carlo; LeCun's σ_w² = 1/D at both
/// layers would give a quarter of it (expected refuted). Written against the installed
/// initlab::study harness exactly as initlab's own studies are.
#include <initlab/initlab.hpp>
#include <initlab/study/network_trials.hpp>

namespace {

using namespace initlab;
using namespace initlab::study;

constexpr double q0 = 1.0, g = 1.0;
const trial_config config = gaussian_backprop(16, q0, g);
using he_pair = network<dense<128, 128, he_normal, relu>, dense<128, 128, he_normal, relu>>;
using lecun_pair =
    network<dense<128, 128, lecun_normal, relu>, dense<128, 128, lecun_normal, relu>>;
constexpr auto he = profile<he_pair>(q0, g);
constexpr auto lecun = profile<lecun_pair>(q0, g);
static_assert(within_rel(he.forward[1], he.forward[0], 1e-15));
static_assert(within_rel(lecun.forward[1], he.forward[1] / 4.0, 1e-15));

void body(context& ctx) {
  ctx.setting("batch", config.batch);
  const auto t = network_trials<he_pair>(ctx, 0, config, ctx.replications());
  forward_claim(ctx, t, 1,
                holds("he_second_layer", "He normal keeps Var[y_2] = Var[y_1] through ReLU",
                      "Var[y_2] = D·(2/D)·Var[y_1]/2", he.forward[1], deep_precision));
  forward_claim(ctx, t, 1,
                wrong("lecun_variance_for_relu",
                      "WRONG (expected refuted): the second layer's Var[y_2] is LeCun's",
                      "Var[y_2] with σ_w² = 1/D", lecun.forward[1]));
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv,
             {"01", "my_claim", "He normal keeps the ReLU forward variance (a user's own study)",
              "THEORY.md sec. 3 of initlab", 2000, 200},
             body);
}
