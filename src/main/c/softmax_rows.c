/*
 * The softmax's row passes over float32 rows of V logits (V up to ~50k for word and subword
 * models): the row maximum (with the bias added first, or alone) and the exponentials
 * exp(x - shift) with their double sum. Each gives exactly the bits of the scalar Java loops in
 * dev.rnnlm.model.Softmax (scalarMax, scalarAddAndMax, expNonPositive then sum):
 *  - exp is the same float operations in the same order per lane: multiplies and adds never
 *    fused (the build passes -ffp-contract=off), the max against the floor, integer add and
 *    shift on the reinterpreted bits;
 *  - the sum adds element i into double lane i mod 4, in order, then (l0 + l1) + (l2 + l3), with
 *    the same tail as the scalar loop (whole groups of four, then the rest into lane 0);
 *  - the maximum follows Math.max: NaN wins (the first NaN of the row, as the scalar loop keeps
 *    it), and +0.0 is above -0.0.
 * The scalar loops are latency-bound and the JIT does not vectorize the exponential's bit moves;
 * these run 8 lanes of AVX2.
 */
#include <jni.h>
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* The constants of dev.rnnlm.model.Softmax. */
#define LOG2E 1.44269504088896341f
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
#define ROUND 12582912.0f
#define EXP_FLOOR -87.3f
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f
/* 127 - bits(1.5 * 2^23) */
#define EXPONENT_BIAS_MINUS_ROUND (127 - 0x4B400000)

/* Softmax.expNonPositive(x - shift) per lane. */
__attribute__((target("avx2"))) static __m256 exp_shifted8(__m256 x, __m256 shift) {
  /* max_ps returns its second operand when one is NaN: a NaN x stays NaN, as Math.max. */
  __m256 v = _mm256_max_ps(_mm256_set1_ps(EXP_FLOOR), _mm256_sub_ps(x, shift));
  __m256 round = _mm256_set1_ps(ROUND);
  __m256 t = _mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(LOG2E)), round);
  __m256 n = _mm256_sub_ps(t, round);
  __m256 r = _mm256_sub_ps(v, _mm256_mul_ps(n, _mm256_set1_ps(LN2_HIGH)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(LN2_LOW)));
  __m256 p = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(P0), r), _mm256_set1_ps(P1));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(P2));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(P3));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(P4));
  p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(P5));
  __m256 e = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(p, _mm256_mul_ps(r, r)), r),
                           _mm256_set1_ps(1.0f));
  __m256i exponent = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(EXPONENT_BIAS_MINUS_ROUND)), 23);
  return _mm256_mul_ps(e, _mm256_castsi256_ps(exponent));
}

/*
 * sum over i < n of exp(src[i] - shift) in Softmax.sum's order, storing each exponential into
 * dst[i] when dst is not NULL (dst may be src: each element is read before it is written).
 */
__attribute__((target("avx2"))) static double exp_shifted_sum(const float *src, float shift,
                                                              float *dst, int n) {
  __m256 s = _mm256_set1_ps(shift);
  __m256d acc = _mm256_setzero_pd();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 e = exp_shifted8(_mm256_loadu_ps(src + i), s);
    if (dst != NULL) {
      _mm256_storeu_ps(dst + i, e);
    }
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));   /* i .. i+3 */
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1))); /* i+4 .. i+7 */
  }
  double lanes[4];
  _mm256_storeu_pd(lanes, acc);
  int rest = n - i;
  if (rest > 0) {   /* the last < 8 elements: through a full-width buffer, added as the scalar loop */
    float in[8] = {0}, out[8];
    memcpy(in, src + i, (size_t)rest * sizeof(float));
    _mm256_storeu_ps(out, exp_shifted8(_mm256_loadu_ps(in), s));
    if (dst != NULL) {
      memcpy(dst + i, out, (size_t)rest * sizeof(float));
    }
    int j = 0;
    for (; j + 3 < rest; j += 4) {
      lanes[0] += out[j];
      lanes[1] += out[j + 1];
      lanes[2] += out[j + 2];
      lanes[3] += out[j + 3];
    }
    for (; j < rest; j++) {
      lanes[0] += out[j];
    }
  }
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

/*
 * Math.max over a row whose lane maxima are in m (NaN lanes ignored by max_ps) with any NaN
 * flagged in nan: the first NaN of a[0, n) if there is one; +0.0 over -0.0 when the maximum is
 * a zero (max_ps keeps whichever zero came second).
 */
__attribute__((target("avx2"))) static float finish_max(__m256 m, __m256 nan, const float *a,
                                                        int n, float tail_max, int tail_nan) {
  if (tail_nan || _mm256_movemask_ps(nan) != 0) {
    for (int i = 0; i < n; i++) {
      if (a[i] != a[i]) {
        return a[i];
      }
    }
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, m);
  float max = tail_max;
  for (int j = 0; j < 8; j++) {
    max = lanes[j] > max ? lanes[j] : max;
  }
  if (max == 0.0f) {
    for (int i = 0; i < n; i++) {
      uint32_t bits;
      memcpy(&bits, &a[i], sizeof bits);
      if (bits == 0) {
        return 0.0f;
      }
    }
    return -0.0f;
  }
  return max;
}

/* Math.max over a[0, n); negative infinity for n = 0. */
__attribute__((target("avx2"))) static float row_max(const float *a, int n) {
  __m256 m = _mm256_set1_ps(-__builtin_inff());
  __m256 nan = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_loadu_ps(a + i);
    m = _mm256_max_ps(m, x);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
  float tail_max = -__builtin_inff();
  int tail_nan = 0;
  for (; i < n; i++) {
    tail_nan |= a[i] != a[i];
    tail_max = a[i] > tail_max ? a[i] : tail_max;
  }
  return finish_max(m, nan, a, n, tail_max, tail_nan);
}

/* a[i] += bias[i] for i < n; returns Math.max over the new a[0, n). */
__attribute__((target("avx2"))) static float add_and_max(float *a, const float *bias, int n) {
  __m256 m = _mm256_set1_ps(-__builtin_inff());
  __m256 nan = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(a + i, x);
    m = _mm256_max_ps(m, x);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
  float tail_max = -__builtin_inff();
  int tail_nan = 0;
  for (; i < n; i++) {
    a[i] = a[i] + bias[i];
    tail_nan |= a[i] != a[i];
    tail_max = a[i] > tail_max ? a[i] : tail_max;
  }
  return finish_max(m, nan, a, n, tail_max, tail_nan);
}

/* Bounds are checked on the Java side (linalg.NativeRows); arrays are pinned, not copied. */
JNIEXPORT jfloat JNICALL Java_dev_rnnlm_linalg_NativeKernels_rowMax(
    JNIEnv *env, jclass cls, jfloatArray a, jint offset, jint n) {
  float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
  if (pa == NULL) return 0.0f;   /* an OutOfMemoryError is pending */
  float max = row_max(pa + offset, n);
  (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
  return max;
}

JNIEXPORT jfloat JNICALL Java_dev_rnnlm_linalg_NativeKernels_addAndMax(
    JNIEnv *env, jclass cls, jfloatArray a, jint offset, jfloatArray bias, jint biasOffset,
    jint n) {
  int same = (*env)->IsSameObject(env, a, bias);
  float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
  float *pb = same ? pa : (*env)->GetPrimitiveArrayCritical(env, bias, NULL);
  float max = 0.0f;
  if (pa != NULL && pb != NULL) {
    max = add_and_max(pa + offset, pb + biasOffset, n);
  }
  if (pb != NULL && pb != pa) (*env)->ReleasePrimitiveArrayCritical(env, bias, pb, JNI_ABORT);
  if (pa != NULL) (*env)->ReleasePrimitiveArrayCritical(env, a, pa, 0);
  return max;
}

JNIEXPORT jdouble JNICALL Java_dev_rnnlm_linalg_NativeKernels_expShiftedSum(
    JNIEnv *env, jclass cls, jfloatArray src, jint srcOffset, jfloat shift, jfloatArray dst,
    jint dstOffset, jint n) {
  int same = dst != NULL && (*env)->IsSameObject(env, src, dst);
  float *ps = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
  float *pd = NULL;
  if (dst != NULL) {
    pd = same ? ps : (*env)->GetPrimitiveArrayCritical(env, dst, NULL);
  }
  double sum = 0.0;
  if (ps != NULL && (dst == NULL || pd != NULL)) {
    sum = exp_shifted_sum(ps + srcOffset, shift, pd == NULL ? NULL : pd + dstOffset, n);
  }
  if (pd != NULL && !same) (*env)->ReleasePrimitiveArrayCritical(env, dst, pd, 0);
  if (ps != NULL) (*env)->ReleasePrimitiveArrayCritical(env, src, ps, same ? 0 : JNI_ABORT);
  return sum;
}
