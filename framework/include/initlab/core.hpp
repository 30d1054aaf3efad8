#pragma once
/// Umbrella header of initlab::core: the analytic, constexpr part (activations, initializers,
/// layer kinds and their maps, networks, mean field, stability), standard library only. The
/// layer headers carry their run-time passes too, which draw their parameters through the
/// `parameter_sampler` interface; the bulk sampler, the Monte Carlo engine, statistics and data
/// sets (initlab::mc) are in <initlab/initlab.hpp>.

#include <initlab/real_param.hpp>
#include <initlab/weight_law.hpp>
#include <initlab/math.hpp>
#include <initlab/quadrature.hpp>
#include <initlab/activation.hpp>
#include <initlab/init.hpp>
#include <initlab/signal.hpp>
#include <initlab/parameter_sampler.hpp>
#include <initlab/pass_ptr.hpp>
#include <initlab/layer.hpp>
#include <initlab/activation_layer.hpp>
#include <initlab/dense.hpp>
#include <initlab/finite_width.hpp>
#include <initlab/conv2d.hpp>
#include <initlab/batch_norm.hpp>
#include <initlab/layer_norm.hpp>
#include <initlab/residual.hpp>
#include <initlab/pool.hpp>
#include <initlab/serial.hpp>
#include <initlab/network.hpp>
#include <initlab/stability.hpp>
#include <initlab/mean_field.hpp>
