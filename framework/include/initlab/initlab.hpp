#pragma once
/// Umbrella header: includes the whole header-only library, nothing else.

#include <initlab/weight_law.hpp>
#include <initlab/random.hpp>
#include <initlab/sampler.hpp>
#include <initlab/math.hpp>
#include <initlab/quadrature.hpp>
#include <initlab/activation.hpp>
#include <initlab/init.hpp>
#include <initlab/signal.hpp>
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
#include <initlab/parallel.hpp>
#include <initlab/statistics.hpp>
#include <initlab/engine.hpp>
#include <initlab/trial.hpp>
