/*
 * Small-row float32 products C(m, n) += A(m, k) op(M)(k, n) against a matrix M packed once into
 * 16-column panels, for the recurrent products of BPTT: m is the per-partition batch (~16), M is
 * the (H, H) recurrent weight, and the same M is multiplied T times per step. A general BLAS
 * repacks M on every call (a 1 MiB copy for H = 512, ~30% of the product's time); here it is
 * packed once per step and each product only streams the packed panels.
 *
 * Panel layout: panel p holds op(M)[kk][16p .. 16p+15] for kk = 0..k-1, 16 floats per kk,
 * columns past n zero-filled. Size: ceil(n / 16) * k * 16 floats.
 *
 * Two micro-tiles over the same panels, chosen per call (multiplyAdd's avx512 flag, honoured
 * only when supported() found AVX-512F on this CPU):
 *  - AVX2 + FMA: 6 rows x 16 columns (one panel): 12 of the 16 ymm registers accumulate, two
 *    hold the panel row and one the broadcast A element; the partial last panel goes through a
 *    full-width buffer.
 *  - AVX-512F: 8 rows x 32 columns (two panels): 16 of the 32 zmm registers accumulate, two
 *    hold the two panels' rows and one the broadcast; ~1.7x the AVX2 tile's rate on a machine
 *    with two 512-bit FMA ports (8 x 16, 12 x 16, 16 x 16, 6 x 32, 12 x 32 and 14 x 32 were
 *    slower or no faster at m = 16, H = 512). The partial last panel is read and written through
 *    masked loads and stores of C. Row and panel remainders use the smaller tiles.
 * Both compute every C element as the same FMA chain, c = fma(a[i][kk], op(M)[kk][j], c) for kk
 * in order within the same k-blocks, with C loaded at each k-block's start and stored at its end,
 * so the two give identical bits (lanes are independent; a zmm is two ymm halves).
 * Only the tiles are compiled for AVX2 + FMA or AVX-512F (function target attributes), so the
 * library loads on any x86-64; supported() and supportedAvx512() tell the JVM side which this CPU
 * can run.
 */
#include <dlfcn.h>
#include <jni.h>
#include <immintrin.h>
#include <string.h>

#define PANEL 16
#define TILE_ROWS 6
/* AVX-512 tile: 8 rows x 2 panels (32 columns), 16 zmm accumulators. */
#define TILE512_ROWS 8
#define TILE512_PANELS 2
/*
 * k-block: the panel slice (KBLOCK x 16 floats = 16 KiB per panel) stays in L1 across the row
 * tiles. It must be the same in both paths for identical bits.
 */
#define KBLOCK 256

static int min_int(int a, int b) { return a < b ? a : b; }

static void pack(const float *src, int k, int n, int transposed, float *panels) {
  int panel_count = (n + PANEL - 1) / PANEL;
  for (int p = 0; p < panel_count; p++) {
    int j0 = p * PANEL;
    int width = min_int(PANEL, n - j0);
    float *dst = panels + (size_t)p * k * PANEL;
    if (width < PANEL) {
      memset(dst, 0, (size_t)k * PANEL * sizeof(float));
    }
    if (!transposed) {        /* src is (k, n): op(M)[kk][j] = src[kk][j] */
      for (int kk = 0; kk < k; kk++) {
        memcpy(dst + (size_t)kk * PANEL, src + (size_t)kk * n + j0, (size_t)width * sizeof(float));
      }
    } else {                  /* src is (n, k): op(M)[kk][j] = src[j][kk] */
      for (int c = 0; c < width; c++) {
        const float *row = src + (size_t)(j0 + c) * k;
        for (int kk = 0; kk < k; kk++) {
          dst[(size_t)kk * PANEL + c] = row[kk];
        }
      }
    }
  }
}

/* c(R, 16) += a(R, kc) panel(kc, 16); a and c row strides lda and ldc. */
#define DEFINE_TILE(R)                                                                        \
  __attribute__((target("avx2,fma"))) static void tile##R(const float *a, int lda,            \
                                                          const float *panel, float *c,       \
                                                          int ldc, int kc) {                  \
    __m256 lo[R], hi[R];                                                                      \
    _Pragma("GCC unroll 6") for (int r = 0; r < R; r++) {                                     \
      lo[r] = _mm256_loadu_ps(c + (size_t)r * ldc);                                           \
      hi[r] = _mm256_loadu_ps(c + (size_t)r * ldc + 8);                                       \
    }                                                                                         \
    for (int kk = 0; kk < kc; kk++) {                                                         \
      __m256 b0 = _mm256_loadu_ps(panel + (size_t)kk * PANEL);                                \
      __m256 b1 = _mm256_loadu_ps(panel + (size_t)kk * PANEL + 8);                            \
      _Pragma("GCC unroll 6") for (int r = 0; r < R; r++) {                                   \
        __m256 x = _mm256_broadcast_ss(a + (size_t)r * lda + kk);                             \
        lo[r] = _mm256_fmadd_ps(x, b0, lo[r]);                                                \
        hi[r] = _mm256_fmadd_ps(x, b1, hi[r]);                                                \
      }                                                                                       \
    }                                                                                         \
    _Pragma("GCC unroll 6") for (int r = 0; r < R; r++) {                                     \
      _mm256_storeu_ps(c + (size_t)r * ldc, lo[r]);                                           \
      _mm256_storeu_ps(c + (size_t)r * ldc + 8, hi[r]);                                       \
    }                                                                                         \
  }

DEFINE_TILE(1)
DEFINE_TILE(2)
DEFINE_TILE(3)
DEFINE_TILE(4)
DEFINE_TILE(5)
DEFINE_TILE(6)

typedef void (*tile_fn)(const float *, int, const float *, float *, int, int);
static const tile_fn TILES[TILE_ROWS + 1] = {0, tile1, tile2, tile3, tile4, tile5, tile6};

static void multiply_add_avx2(int m, int n, int k, const float *a, const float *panels,
                              float *c) {
  int panel_count = (n + PANEL - 1) / PANEL;
  for (int k0 = 0; k0 < k; k0 += KBLOCK) {
    int kc = min_int(KBLOCK, k - k0);
    for (int p = 0; p < panel_count; p++) {
      const float *panel = panels + ((size_t)p * k + k0) * PANEL;
      int j0 = p * PANEL;
      int width = min_int(PANEL, n - j0);
      for (int i0 = 0; i0 < m; i0 += TILE_ROWS) {
        int rows = min_int(TILE_ROWS, m - i0);
        const float *ai = a + (size_t)i0 * k + k0;
        float *ci = c + (size_t)i0 * n + j0;
        if (width == PANEL) {
          TILES[rows](ai, k, panel, ci, n, kc);
        } else {              /* last, partial panel: through a full-width buffer */
          float edge[TILE_ROWS * PANEL] = {0};
          for (int r = 0; r < rows; r++) {
            memcpy(edge + r * PANEL, ci + (size_t)r * n, (size_t)width * sizeof(float));
          }
          TILES[rows](ai, k, panel, edge, PANEL, kc);
          for (int r = 0; r < rows; r++) {
            memcpy(ci + (size_t)r * n, edge + r * PANEL, (size_t)width * sizeof(float));
          }
        }
      }
    }
  }
}

/*
 * c(R, 16P) += a(R, kc) panels(kc, 16P) over P adjacent panels (ps floats apart); the last
 * panel's columns outside the mask `last` are neither read nor written (masked loads and stores
 * of c, which do not fault on masked-out lanes).
 */
#define DEFINE_TILE512(R, P)                                                                  \
  __attribute__((target("avx512f"))) static void tile512_##R##x##P(                           \
      const float *a, int lda, const float *panel, size_t ps, float *c, int ldc, int kc,      \
      __mmask16 last) {                                                                       \
    __m512 acc[R][P];                                                                         \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                     \
      _Pragma("GCC unroll 2") for (int p = 0; p < P; p++) {                                   \
        acc[r][p] = _mm512_maskz_loadu_ps(p == P - 1 ? last : (__mmask16)0xFFFF,              \
                                          c + (size_t)r * ldc + p * PANEL);                   \
      }                                                                                       \
    }                                                                                         \
    for (int kk = 0; kk < kc; kk++) {                                                         \
      __m512 b[P];                                                                            \
      _Pragma("GCC unroll 2") for (int p = 0; p < P; p++) {                                   \
        b[p] = _mm512_loadu_ps(panel + p * ps + (size_t)kk * PANEL);                          \
      }                                                                                       \
      _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                   \
        __m512 x = _mm512_set1_ps(a[(size_t)r * lda + kk]);                                   \
        _Pragma("GCC unroll 2") for (int p = 0; p < P; p++) {                                 \
          acc[r][p] = _mm512_fmadd_ps(x, b[p], acc[r][p]);                                    \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                                     \
      _Pragma("GCC unroll 2") for (int p = 0; p < P; p++) {                                   \
        _mm512_mask_storeu_ps(c + (size_t)r * ldc + p * PANEL,                                \
                              p == P - 1 ? last : (__mmask16)0xFFFF, acc[r][p]);              \
      }                                                                                       \
    }                                                                                         \
  }

DEFINE_TILE512(1, 1) DEFINE_TILE512(2, 1) DEFINE_TILE512(3, 1) DEFINE_TILE512(4, 1)
DEFINE_TILE512(5, 1) DEFINE_TILE512(6, 1) DEFINE_TILE512(7, 1) DEFINE_TILE512(8, 1)
DEFINE_TILE512(1, 2) DEFINE_TILE512(2, 2) DEFINE_TILE512(3, 2) DEFINE_TILE512(4, 2)
DEFINE_TILE512(5, 2) DEFINE_TILE512(6, 2) DEFINE_TILE512(7, 2) DEFINE_TILE512(8, 2)

typedef void (*tile512_fn)(const float *, int, const float *, size_t, float *, int, int,
                           __mmask16);
/* TILES512[panels][rows] */
static const tile512_fn TILES512[TILE512_PANELS + 1][TILE512_ROWS + 1] = {
    {0},
    {0, tile512_1x1, tile512_2x1, tile512_3x1, tile512_4x1, tile512_5x1, tile512_6x1,
     tile512_7x1, tile512_8x1},
    {0, tile512_1x2, tile512_2x2, tile512_3x2, tile512_4x2, tile512_5x2, tile512_6x2,
     tile512_7x2, tile512_8x2}};

static void multiply_add_avx512(int m, int n, int k, const float *a, const float *panels,
                                float *c) {
  int panel_count = (n + PANEL - 1) / PANEL;
  size_t ps = (size_t)k * PANEL;
  for (int k0 = 0; k0 < k; k0 += KBLOCK) {
    int kc = min_int(KBLOCK, k - k0);
    for (int p = 0; p < panel_count; p += TILE512_PANELS) {
      int np = min_int(TILE512_PANELS, panel_count - p);
      const float *panel = panels + (size_t)p * ps + (size_t)k0 * PANEL;
      int j0 = p * PANEL;
      int last_width = n - (j0 + (np - 1) * PANEL);
      __mmask16 last = (__mmask16)(last_width >= PANEL ? 0xFFFF : (1u << last_width) - 1);
      for (int i0 = 0; i0 < m; i0 += TILE512_ROWS) {
        int rows = min_int(TILE512_ROWS, m - i0);
        TILES512[np][rows](a + (size_t)i0 * k + k0, k, panel, ps, c + (size_t)i0 * n + j0, n,
                           kc, last);
      }
    }
  }
}

/* Set by supportedAvx512(); the avx512 flag of a call is ignored on a CPU without AVX-512F. */
static int avx512_supported;

static void multiply_add(int m, int n, int k, const float *a, const float *panels, float *c,
                         int avx512) {
  if (avx512 && avx512_supported) {
    multiply_add_avx512(m, n, k, a, panels, c);
  } else {
    multiply_add_avx2(m, n, k, a, panels, c);
  }
}

JNIEXPORT jboolean JNICALL Java_dev_rnnlm_linalg_NativeKernels_supported(JNIEnv *env,
                                                                         jclass cls) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Also arms the AVX-512 path: until this has found AVX-512F, multiply_add runs AVX2 tiles. */
JNIEXPORT jboolean JNICALL Java_dev_rnnlm_linalg_NativeKernels_supportedAvx512(JNIEnv *env,
                                                                               jclass cls) {
  __builtin_cpu_init();
  avx512_supported = __builtin_cpu_supports("avx512f") != 0;
  return avx512_supported;
}

/* Bounds are checked on the Java side; arrays are pinned, not copied, for the call. */
JNIEXPORT void JNICALL Java_dev_rnnlm_linalg_NativeKernels_pack(
    JNIEnv *env, jclass cls, jfloatArray src, jint srcOffset, jint k, jint n,
    jboolean transposed, jfloatArray panels) {
  float *s = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
  float *p = (*env)->GetPrimitiveArrayCritical(env, panels, NULL);
  if (s != NULL && p != NULL) {
    pack(s + srcOffset, k, n, transposed, p);
  }
  if (p != NULL) (*env)->ReleasePrimitiveArrayCritical(env, panels, p, 0);
  if (s != NULL) (*env)->ReleasePrimitiveArrayCritical(env, src, s, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_dev_rnnlm_linalg_NativeKernels_multiplyAdd(
    JNIEnv *env, jclass cls, jint m, jint n, jint k, jfloatArray a, jint aOffset,
    jfloatArray panels, jfloatArray c, jint cOffset, jboolean avx512) {
  float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
  float *pp = (*env)->GetPrimitiveArrayCritical(env, panels, NULL);
  float *pc = (*env)->GetPrimitiveArrayCritical(env, c, NULL);
  if (pa != NULL && pp != NULL && pc != NULL) {
    multiply_add(m, n, k, pa + aOffset, pp, pc + cOffset, avx512);
  }
  if (pc != NULL) (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
  if (pp != NULL) (*env)->ReleasePrimitiveArrayCritical(env, panels, pp, JNI_ABORT);
  if (pa != NULL) (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}

/*
 * The string an OpenBLAS function without arguments returns (openblas_get_corename,
 * openblas_get_config) when the BLAS that netlib loaded is OpenBLAS, else null. Looks only at
 * libraries already loaded (RTLD_NOLOAD): netlib loads libblas.so.3 before this is called.
 */
static jstring openblas_string(JNIEnv *env, const char *symbol) {
  static const char *const libraries[] = {"libblas.so.3", "libopenblas.so.0", "libopenblas.so"};
  for (size_t i = 0; i < sizeof libraries / sizeof libraries[0]; i++) {
    void *handle = dlopen(libraries[i], RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
      continue;
    }
    char *(*get)(void) = (char *(*)(void)) dlsym(handle, symbol);
    jstring value = get == NULL ? NULL : (*env)->NewStringUTF(env, get());
    dlclose(handle);
    if (value != NULL) {
      return value;
    }
  }
  return NULL;
}

/*
 * The core OpenBLAS chose for its kernels ("Haswell", "Prescott", ...). Kernels of different
 * cores sum a product's terms in different orders, so the name is part of what decides the bits.
 */
JNIEXPORT jstring JNICALL Java_dev_rnnlm_linalg_NativeKernels_openBlasCore(JNIEnv *env,
                                                                           jclass cls) {
  return openblas_string(env, "openblas_get_corename");
}

/* OpenBLAS's build description: "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
JNIEXPORT jstring JNICALL Java_dev_rnnlm_linalg_NativeKernels_openBlasConfig(JNIEnv *env,
                                                                             jclass cls) {
  return openblas_string(env, "openblas_get_config");
}
