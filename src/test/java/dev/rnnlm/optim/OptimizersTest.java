package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rnnlm.values.InvalidValueException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OptimizersTest {
  private static final OptimizerSettings NONE = OptimizerSettings.DEFAULTS;

  /** The message of the rejection, with the values named in the optimizers' own terms. */
  private static String error(Runnable r) {
    return assertThrows(InvalidValueException.class, r::run).template();
  }

  @Test
  void everyNameBuildsTheOptimizerOfThatName() {
    assertEquals(List.of("sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"), Optimizers.NAMES);
    for (String name : Optimizers.NAMES) {
      Optimizer opt = Optimizers.create(name, NONE, 3);
      assertEquals(name, opt.name());
      assertEquals(0, opt.state().step());
    }
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    assertEquals("unknown optimizer 'adamax': expected one of sgd, momentum, adam, adamw, rmsprop, adagrad",
        error(() -> Optimizers.create("adamax", NONE, 3)));
    assertEquals("unknown optimizer 'Adam': expected one of sgd, momentum, adam, adamw, rmsprop, adagrad",
        error(() -> Optimizers.create("Adam", NONE, 3)));
  }

  @Test
  void defaultsArePyTorchsExceptMomentumsFactor() {
    assertEquals(new OptimizerSettings(null, null, null, null, 0.0), Optimizers.create("sgd", NONE, 1).settings());
    assertEquals(new OptimizerSettings(0.9, null, null, null, 0.0),
        Optimizers.create("momentum", NONE, 1).settings());
    assertEquals(new OptimizerSettings(null, 0.9, 0.999, 1e-8, 0.0), Optimizers.create("adam", NONE, 1).settings());
    assertEquals(new OptimizerSettings(null, 0.9, 0.999, 1e-8, 0.01), Optimizers.create("adamw", NONE, 1).settings());
    assertEquals(new OptimizerSettings(0.0, null, 0.99, 1e-8, 0.0), Optimizers.create("rmsprop", NONE, 1).settings());
    assertEquals(new OptimizerSettings(null, null, null, 1e-10, 0.0), Optimizers.create("adagrad", NONE, 1).settings());
    assertEquals("adamw(beta1=0.9, beta2=0.999, eps=1.0E-8, weight_decay=0.01)",
        Optimizers.create("adamw", NONE, 1).toString());
  }

  @Test
  void givenOptionsReplaceTheDefaultsOneByOne() {
    OptimizerSettings given = NONE.withBeta2(0.95).withWeightDecay(0.1);
    assertEquals(new OptimizerSettings(null, 0.9, 0.95, 1e-8, 0.1), Optimizers.resolve("adam", given));
    assertEquals(new OptimizerSettings(0.0, null, 0.95, 1e-8, 0.1), Optimizers.resolve("rmsprop", given));
  }

  @Test
  void anOptionTheOptimizerDoesNotTakeIsRejected() {
    assertEquals("{beta1} does not apply to {optimizer} sgd (it takes {weightDecay})",
        error(() -> Optimizers.create("sgd", NONE.withBeta1(0.9), 3)));
    assertEquals("{momentum} does not apply to {optimizer} adam (it takes {beta1}, {beta2}, {eps}, {weightDecay})",
        error(() -> Optimizers.create("adam", NONE.withMomentum(0.9), 3)));
    assertEquals("{beta1} does not apply to {optimizer} rmsprop (it takes {momentum}, {beta2}, {eps}, {weightDecay})",
        error(() -> Optimizers.create("rmsprop", NONE.withBeta1(0.9), 3)));
    assertEquals("{eps} does not apply to {optimizer} momentum (it takes {momentum}, {weightDecay})",
        error(() -> Optimizers.create("momentum", NONE.withEps(1e-8), 3)));
  }

  @Test
  void outOfRangeValuesNameTheOptionAndTheValue() {
    assertRejected("momentum", s -> s.withMomentum(1), "{momentum} must be in [0, 1), got 1.0");
    assertRejected("rmsprop", s -> s.withMomentum(-0.1), "{momentum} must be in [0, 1), got -0.1");
    assertRejected("adam", s -> s.withBeta1(1), "{beta1} must be in [0, 1), got 1.0");
    assertRejected("adamw", s -> s.withBeta2(Double.NaN), "{beta2} must be in [0, 1), got NaN");
    assertRejected("rmsprop", s -> s.withBeta2(1.5), "{beta2} must be in [0, 1), got 1.5");
    assertRejected("adagrad", s -> s.withEps(0),
        "{eps} must be > 0 (at least 1.4E-45, the smallest float32), got 0.0");
    assertRejected("adam", s -> s.withEps(1e-50),
        "{eps} must be > 0 (at least 1.4E-45, the smallest float32), got 1.0E-50");
    assertRejected("sgd", s -> s.withWeightDecay(-1e-3), "{weightDecay} must be >= 0, got -0.001");
    assertRejected("adamw", s -> s.withWeightDecay(Double.POSITIVE_INFINITY),
        "{weightDecay} must be >= 0, got Infinity");
  }

  @Test
  void rangeEndsThatAreAllowedBuild() {
    Optimizers.create("momentum", NONE.withMomentum(0), 1);
    Optimizers.create("adam", NONE.withBeta1(0).withBeta2(0).withWeightDecay(0), 1);
    Optimizers.create("adagrad", NONE.withEps(Float.MIN_VALUE), 1);
  }

  @Test
  void negativeSizeIsRejected() {
    assertEquals("adam: size must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
        () -> Optimizers.create("adam", NONE, -1)).getMessage());
  }

  private static void assertRejected(String name, UnaryOperator<OptimizerSettings> given, String message) {
    assertEquals(message, error(() -> Optimizers.create(name, given.apply(NONE), 1)));
  }
}
