package dev.rnnlm.io;

import java.io.IOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The book's training plot: perplexity against epoch, for training and validation, as PNG. */
public final class TrainingPlot {
  public static final String FILE = "training.png";
  private static final int WIDTH = 800;
  private static final int HEIGHT = 500;

  static {
    System.setProperty("java.awt.headless", "true"); // servers and cron have no display
  }

  private TrainingPlot() {}

  /** An overflowing perplexity (exp of a huge loss) becomes a gap: XChart rejects infinities. */
  private static List<Double> finite(List<Double> values) {
    return values.stream().map(v -> Double.isFinite(v) ? v : Double.NaN).toList();
  }

  /**
   * PNG bytes of the plot. {@code validation} may be empty (no validation) or hold one value
   * per epoch.
   */
  public static byte[] render(List<Integer> epochs, List<Double> training, List<Double> validation)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Perplexity").xAxisTitle("epoch").yAxisTitle("perplexity").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.addSeries("train", epochs, finite(training)).setMarker(SeriesMarkers.NONE);
    if (!validation.isEmpty()) {
      chart.addSeries("validation", epochs, finite(validation)).setMarker(SeriesMarkers.NONE);
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }
}
