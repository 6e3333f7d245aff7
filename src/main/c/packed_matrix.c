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
 * The micro-tile is 6 rows x 16 columns: 12 of the 16 AVX2 registers accumulate, two hold the
 * panel row and one the broadcast A element. Only the tiles are compiled for AVX2 + FMA
 * (function target attributes); supported() tells the JVM side whether this CPU can run them.
 */
#include <jni.h>
#include <immintrin.h>
#include <string.h>

#define PANEL 16
#define TILE_ROWS 6
/* k-block: the panel slice (KBLOCK x 16 floats = 16 KiB) stays in L1 across the row tiles. */
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

static void multiply_add(int m, int n, int k, const float *a, const float *panels, float *c) {
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

JNIEXPORT jboolean JNICALL Java_dev_rnnlm_linalg_NativeKernels_supported(JNIEnv *env,
                                                                         jclass cls) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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
    jfloatArray panels, jfloatArray c, jint cOffset) {
  float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
  float *pp = (*env)->GetPrimitiveArrayCritical(env, panels, NULL);
  float *pc = (*env)->GetPrimitiveArrayCritical(env, c, NULL);
  if (pa != NULL && pp != NULL && pc != NULL) {
    multiply_add(m, n, k, pa + aOffset, pp, pc + cOffset);
  }
  if (pc != NULL) (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
  if (pp != NULL) (*env)->ReleasePrimitiveArrayCritical(env, panels, pp, JNI_ABORT);
  if (pa != NULL) (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}
