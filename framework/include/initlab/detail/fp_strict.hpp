#pragma once
/// INITLAB_FP_STRICT_BEGIN / INITLAB_FP_STRICT_END: the floating-point contract travels with the
/// headers.
///
/// The sequence of roundings written in initlab's headers is the definition of its values:
/// a constant expression evaluates it exactly as written, so the same call at run time has the
/// same bits only if the compiler does not fuse a*b+c into an FMA (GCC's default in gnu++ modes
/// is -ffp-contract=fast, and -march=haswell or newer has FMA). Every header of the library opens
/// such a region after its #includes and closes it at its end, so a consumer's own flags do not
/// change initlab's bits:
/// - GCC: `#pragma GCC optimize("fp-contract=off")` marks every function defined in the region
///   (templates included), whatever -ffp-contract the consumer uses. A consumer compiled without
///   -ffp-contract=off gets the same bits, but GCC then does not inline initlab's functions into
///   the consumer's (the option sets differ); the exported CMake targets add -ffp-contract=off as
///   a usage requirement, so a find_package consumer keeps full inlining.
/// - Clang: `#pragma clang fp contract(off)` is attached to each operation, so it survives
///   inlining. Clang ignores it under -ffp-contract=fast (documented: "fuses across statements
///   disregarding pragmas"); the CMake usage requirement then overrides the consumer's flag, and
///   a consumer that bypasses CMake must not use -ffp-contract=fast with Clang.
/// (tests/package/ checks both: a CMake consumer with -O3 -march=native -ffp-contract=fast, and a
/// raw compile with -O3 -march=native and no initlab flag at all.)

#if defined(__clang__)
/// Opens a region where floating-point contraction is off (restored by INITLAB_FP_STRICT_END).
#define INITLAB_FP_STRICT_BEGIN _Pragma("float_control(push)") _Pragma("clang fp contract(off)")
/// Closes an INITLAB_FP_STRICT_BEGIN region.
#define INITLAB_FP_STRICT_END _Pragma("float_control(pop)")
#elif defined(__GNUC__)
#define INITLAB_FP_STRICT_BEGIN \
  _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")")
#define INITLAB_FP_STRICT_END _Pragma("GCC pop_options")
#else
#define INITLAB_FP_STRICT_BEGIN
#define INITLAB_FP_STRICT_END
#endif
