package dev.rnnlm.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rnnlm.values.InvalidValueException;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("bit-identity")
class LearningRateScheduleTest {
  private static final ScheduleSettings NONE = ScheduleSettings.DEFAULTS;

  /** The message of the rejection, with the values named in the schedule's own terms. */
  private static String error(Runnable r) {
    return assertThrows(InvalidValueException.class, r::run).template();
  }

  @Test
  void constantIsTheGivenRateBitForBitAtEveryStep() {
    float lr = 0.37f;
    LearningRateSchedule s = LearningRateSchedule.create("constant", lr, NONE, 0);
    for (long step : new long[] {0, 1, 1000, Long.MAX_VALUE}) {
      assertEquals(Float.floatToRawIntBits(lr), Float.floatToRawIntBits(s.lr(step)), "step " + step);
    }
  }

  @Test
  void warmupRisesLinearlyToTheRateAtItsLastStepThenHandsOver() {
    LearningRateSchedule s = LearningRateSchedule.constant(0.8f, 4);
    assertEquals(0.2f, s.lr(0));     // lr * 1/4
    assertEquals(0.4f, s.lr(1));
    assertEquals(0.6f, s.lr(2), 1e-7f);
    assertEquals(0.8f, s.lr(3));     // lr * 4/4: the last warm-up step
    assertEquals(0.8f, s.lr(4));     // the schedule's own first step
    assertEquals(0.8f, LearningRateSchedule.constant(0.8f, 0).lr(0), "no warm-up");
    assertEquals(0.8f, LearningRateSchedule.constant(0.8f, 1).lr(0), "one warm-up step is lr");
  }

  @Test
  void stepDecaysAtEachMultipleOfEveryCountedAfterWarmup() {
    LearningRateSchedule s = LearningRateSchedule.create("step", 1f,
        NONE.withDecay(0.5).withDecayEvery(3), 0);
    assertEquals(1f, s.lr(0));
    assertEquals(1f, s.lr(2));
    assertEquals(0.5f, s.lr(3));
    assertEquals(0.5f, s.lr(5));
    assertEquals(0.25f, s.lr(6));
    assertEquals((float) Math.pow(0.5, 33), s.lr(99));

    LearningRateSchedule warm = LearningRateSchedule.step(1f, 0.5, 3, 2);
    assertEquals(0.5f, warm.lr(0));
    assertEquals(1f, warm.lr(1));
    assertEquals(1f, warm.lr(4));    // t = 2
    assertEquals(0.5f, warm.lr(5));  // t = 3
  }

  @Test
  void stepDecayDefaultsToTorchsGamma() {
    LearningRateSchedule s = LearningRateSchedule.create("step", 1f, NONE.withDecayEvery(10), 0);
    assertEquals(0.1f, s.lr(10));
  }

  @Test
  void cosineAnnealsFromTheRateToZeroOverTheRunAfterWarmup() {
    LearningRateSchedule s = LearningRateSchedule.create("cosine", 2f, NONE.withWarmupSteps(10), 110);
    assertEquals(0.2f, s.lr(0));
    assertEquals(2f, s.lr(9));
    assertEquals(2f, s.lr(10));                 // t = 0: cos 0 = 1
    assertEquals(1f, s.lr(60), 1e-6f);          // t = 50 of 100: half way
    assertEquals(2 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, s.lr(109), 1e-7);  // last step, > 0
    assertEquals(0f, s.lr(110));                // past the run: stays at 0
    assertEquals(0f, s.lr(1_000_000));
  }

  @Test
  void cosineWithoutWarmupIsTorchsClosedForm() {
    LearningRateSchedule s = LearningRateSchedule.cosine(0.5f, 10, 0);
    for (int step = 0; step < 10; step++) {
      assertEquals((float) (0.5 * (1 + Math.cos(Math.PI * step / 10)) / 2), s.lr(step), "step " + step);
    }
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    assertEquals("unknown lr schedule 'linear': expected one of constant, step, cosine, plateau",
        error(() -> LearningRateSchedule.create("linear", 1f, NONE, 10)));
  }

  @Test
  void invalidOptionsNameTheOptionAndTheValue() {
    assertEquals("{decay} must be in (0, 1], got 0.0",
        error(() -> LearningRateSchedule.create("step", 1f, NONE.withDecay(0).withDecayEvery(5), 0)));
    assertEquals("{decay} must be in (0, 1], got 1.5",
        error(() -> LearningRateSchedule.create("step", 1f, NONE.withDecay(1.5).withDecayEvery(5), 0)));
    assertEquals("{decayEvery} must be >= 1, got 0",
        error(() -> LearningRateSchedule.create("step", 1f, NONE.withDecayEvery(0), 0)));
    assertEquals("{schedule} step needs {decayEvery} N",
        error(() -> LearningRateSchedule.create("step", 1f, NONE, 0)));
    assertEquals("{warmupSteps} must be >= 0, got -1",
        error(() -> LearningRateSchedule.create("constant", 1f, NONE.withWarmupSteps(-1), 0)));
    assertEquals("{lr} must be > 0, got 0.0", error(() -> LearningRateSchedule.constant(0f, 0)));
    assertEquals("{lr} must be > 0, got NaN", error(() -> LearningRateSchedule.constant(Float.NaN, 0)));
    assertEquals("{schedule} cosine: the run has 10 optimizer steps, none left after {warmupSteps} 10",
        error(() -> LearningRateSchedule.create("cosine", 1f, NONE.withWarmupSteps(10), 10)));
  }

  /** PyTorch's word_language_model: lr /= 4 after each epoch no better than the best before it. */
  @Test
  void plateauDividesByFourAfterEachEpochThatDoesNotBeatTheBestSoFar() {
    LearningRateSchedule plateau = LearningRateSchedule.create("plateau", 20f, NONE, 0);
    assertEquals(20f, plateau.lr(0));
    assertEquals(20f, plateau.afterValidations(List.of(300.0, 250.0)).lr(500));
    assertEquals(5f, plateau.afterValidations(List.of(300.0, 250.0, 260.0)).lr(500));
    // 240 beats the best (250) again: no decay for it; 245 does not beat 240.
    assertEquals(5f, plateau.afterValidations(List.of(300.0, 250.0, 260.0, 240.0)).lr(500));
    assertEquals(1.25f, plateau.afterValidations(List.of(300.0, 250.0, 260.0, 240.0, 245.0)).lr(500));
    assertEquals(1.25f, plateau.afterValidations(List.of(300.0, 300.0, 300.0)).lr(0), "equal is not better");
    assertEquals(10f, LearningRateSchedule.create("plateau", 20f, NONE.withDecay(0.5), 0)
        .afterValidations(List.of(1.0, 2.0)).lr(9));
    // The rate is a function of the history: the same history gives the same schedule, as after a resume.
    assertEquals(plateau.afterValidations(List.of(9.0, 9.5)).toString(),
        plateau.afterValidations(List.of(9.0)).afterValidations(List.of(9.0, 9.5)).toString());
    assertEquals("plateau(lr=20.0, decay=0.25, decays=1)", plateau.afterValidations(List.of(9.0, 9.5)).toString());
    assertEquals(7f, LearningRateSchedule.constant(7f, 0).afterValidations(List.of(1.0, 2.0)).lr(3),
        "other schedules ignore validation");
  }

  @Test
  void decayOptionsApplyOnlyToStep() {
    assertEquals("{decay} applies only to {schedule} step and plateau, not constant",
        error(() -> LearningRateSchedule.create("constant", 1f, NONE.withDecay(0.5), 0)));
    assertEquals("{decayEvery} applies only to {schedule} step, not cosine",
        error(() -> LearningRateSchedule.create("cosine", 1f, NONE.withDecayEvery(5), 100)));
  }

  @Test
  void negativeStepIsRejected() {
    assertEquals("step must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.constant(1f, 0).lr(-1)).getMessage());
  }

  @Test
  void describesItself() {
    assertEquals("step(lr=0.5, decay=0.5, every=3, warmup=2)", LearningRateSchedule.step(0.5f, 0.5, 3, 2).toString());
    assertEquals("cosine(lr=1.0, total=100)", LearningRateSchedule.cosine(1f, 100, 0).toString());
    assertEquals("cosine", LearningRateSchedule.cosine(1f, 100, 0).name());
  }
}
