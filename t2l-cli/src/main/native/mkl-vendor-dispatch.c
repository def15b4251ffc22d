/*
 * Lets the MKL inside DJL's libtorch pick its kernels by the CPU's instruction sets instead of its vendor.
 *
 * MKL asks these two functions whether the CPU is an Intel one and, on any other x86 CPU (AMD's), takes a generic
 * path whatever the CPU supports: on an AMD EPYC Zen 4 with AVX-512 its SGEMM ran 124-177 GFLOP/s where the same
 * library, told "Intel", ran 164-200 (MKL_VERBOSE then names its AVX-512 path), and the training steps of
 * BENCHMARKS-WORKLOADS §3 took 11-15% less time (BENCHMARKS.md, twenty-ninth session). The CPU-feature checks
 * behind them stay MKL's own, so a CPU without AVX-512 still gets AVX2 kernels, never an instruction it lacks.
 *
 * The ./t2l launcher builds this file on AMD CPUs and puts it in LD_PRELOAD (mkl-vendor-dispatch.sh), where it
 * comes before libtorch's own definitions. It defines nothing else, so a process without MKL is not touched.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }

int mkl_serv_intel_cpu(void) { return 1; }
