package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer against torch.optim's formulas written out again here in float64, over many
 * steps of random gradients and a rate that changes every step, with weight decay and non-default
 * hyperparameters. Tolerance: a step rounds the parameter to float32 up to three times (adamw:
 * the shrink factor, the shrunk parameter, the result; the others once), each time by at most
 * 2^-24 = 6e-8 of its size, and adds the float32 update, whose own ~10 roundings are relative to
 * the update, a few hundredths of the parameter here: together under {@link #PER_STEP} = 2e-7 of
 * {@code max(1, |p|)} per step, so after {@code k} steps the float32 parameters may be {@code
 * k * 2e-7} from the float64 ones (5e-6 after the last; the largest seen is 6.6e-7). The slots
 * are checked against the last step's bound, relative to their largest element.
 */
class OptimizerReferenceTest {
  private static final int SIZE = 1001;
  private static final int STEPS = 25;
  private static final double PER_STEP = 2e-7;

  static Stream<Arguments> cases() {
    OptimizerSettings none = OptimizerSettings.DEFAULTS;
    return Stream.of(
        Arguments.of("sgd", none),
        Arguments.of("sgd", none.withWeightDecay(0.03)),
        Arguments.of("momentum", none),
        Arguments.of("momentum", none.withMomentum(0.6).withWeightDecay(0.02)),
        Arguments.of("adam", none),
        Arguments.of("adam", none.withBeta1(0.7).withBeta2(0.9).withEps(1e-5).withWeightDecay(0.05)),
        Arguments.of("adamw", none),
        Arguments.of("adamw", none.withBeta1(0.8).withBeta2(0.95).withEps(1e-6).withWeightDecay(0.3)),
        Arguments.of("rmsprop", none),
        Arguments.of("rmsprop", none.withBeta2(0.9).withEps(1e-4).withWeightDecay(0.02)),
        Arguments.of("rmsprop", none.withBeta2(0.95).withMomentum(0.8).withWeightDecay(0.01)),
        Arguments.of("adagrad", none),
        Arguments.of("adagrad", none.withEps(1e-3).withWeightDecay(0.1)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void float32UpdateFollowsTorchsFormulaInFloat64(String name, OptimizerSettings given) {
    Random r = new Random(name.hashCode() * 31L + given.hashCode());
    float[] params = new float[SIZE];
    for (int i = 0; i < SIZE; i++) {
      params[i] = (float) r.nextGaussian();
    }
    Optimizer opt = Optimizers.create(name, given, SIZE);
    Reference ref = new Reference(name, opt.settings(), params);
    for (int step = 0; step < STEPS; step++) {
      float lr = (float) (0.01 + 0.05 * r.nextDouble());
      // Gradients of varied scale, some steps tiny (eps then matters), some elements zero.
      double scale = step % 5 == 2 ? 1e-4 : 0.2 + r.nextDouble();
      float[] grad = new float[SIZE];
      for (int i = 0; i < SIZE; i++) {
        grad[i] = i % 97 == 0 ? 0f : (float) (r.nextGaussian() * scale);
      }
      opt.apply(params, grad, lr);
      ref.step(grad, lr);
      assertClose(ref.p, params, (step + 1) * PER_STEP, name + " params after step " + (step + 1));
    }
    OptimizerState state = opt.state();
    assertEquals(STEPS, state.step());
    for (int k = 0; k < ref.slotNames.length; k++) {
      float[] slot = state.slot(ref.slotNames[k]);
      double size = 0;
      for (double x : ref.slots[k]) {
        size = Math.max(size, Math.abs(x));
      }
      for (int i = 0; i < SIZE; i++) {
        assertEquals(ref.slots[k][i], slot[i], STEPS * PER_STEP * size,
            name + " slot " + ref.slotNames[k] + " element " + i);
      }
    }
    assertEquals(List.of(ref.slotNames), state.slotNames());
  }

  private static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
      assertTrue(err <= tolerance, what + ", element " + i + ": expected " + expected[i]
          + " got " + actual[i]);
    }
  }

  /**
   * torch.optim's update rules (1.13 and later, the single-tensor path) in float64, from the
   * formulas of its documentation, sharing no code with the implementations.
   */
  private static final class Reference {
    final String name;
    final double momentum;
    final double beta1;
    final double beta2;
    final double eps;
    final double wd;
    final double[] p;
    final String[] slotNames;
    final double[][] slots;
    long t;

    Reference(String name, OptimizerSettings s, float[] params) {
      this.name = name;
      this.momentum = s.momentum() == null ? 0 : s.momentum();
      this.beta1 = s.beta1() == null ? 0 : s.beta1();
      this.beta2 = s.beta2() == null ? 0 : s.beta2();
      this.eps = s.eps() == null ? 0 : s.eps();
      this.wd = s.weightDecay();
      this.p = new double[params.length];
      for (int i = 0; i < params.length; i++) {
        p[i] = params[i];
      }
      slotNames = switch (name) {
        case "sgd" -> new String[0];
        case "momentum" -> new String[] {"momentum_buffer"};
        case "adam", "adamw" -> new String[] {"exp_avg", "exp_avg_sq"};
        case "rmsprop" -> momentum > 0 ? new String[] {"square_avg", "momentum_buffer"}
            : new String[] {"square_avg"};
        case "adagrad" -> new String[] {"sum"};
        default -> throw new AssertionError(name);
      };
      slots = new double[slotNames.length][params.length];
    }

    void step(float[] grad, double lr) {
      t++;
      for (int i = 0; i < p.length; i++) {
        double g = grad[i];
        switch (name) {
          case "sgd" -> p[i] -= lr * (g + wd * p[i]);
          case "momentum" -> {
            g += wd * p[i];
            double[] buf = slots[0];
            buf[i] = t == 1 ? g : momentum * buf[i] + g;
            p[i] -= lr * buf[i];
          }
          case "adam", "adamw" -> {
            if (name.equals("adamw")) {
              p[i] *= 1 - lr * wd;
            } else {
              g += wd * p[i];
            }
            double[] m = slots[0];
            double[] v = slots[1];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double vHat = v[i] / (1 - Math.pow(beta2, t));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
          }
          case "rmsprop" -> {
            g += wd * p[i];
            double[] sq = slots[0];
            sq[i] = beta2 * sq[i] + (1 - beta2) * g * g;
            double avg = Math.sqrt(sq[i]) + eps;
            if (momentum > 0) {
              slots[1][i] = momentum * slots[1][i] + g / avg;
              p[i] -= lr * slots[1][i];
            } else {
              p[i] -= lr * g / avg;
            }
          }
          case "adagrad" -> {
            g += wd * p[i];
            slots[0][i] += g * g;
            p[i] -= lr * g / (Math.sqrt(slots[0][i]) + eps);
          }
          default -> throw new AssertionError(name);
        }
      }
    }
  }
}
