package dev.imgclass.eval.report;

import dev.imgclass.core.Calibration;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, built with JFreeChart and rendered to PNG bytes. */
public final class Charts {
  static final Color BLUE = new Color(0x1f77b4);
  static final Color ORANGE = new Color(0xff7f0e);
  static final Color GREEN = new Color(0x2ca02c);
  static final Color RED = new Color(0xd62728);
  static final Color GRID = new Color(0xdddddd);

  static {
    System.setProperty("java.awt.headless", "true"); // servers and CI have no display
  }

  private Charts() {}

  /** A chart as PNG bytes. */
  public static byte[] png(JFreeChart chart, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new ImgclassException("cannot render chart '" + chart.getTitle() + "': " + e, e);
    }
    return out.toByteArray();
  }

  /** Training and validation loss (top) and accuracy (bottom) per epoch. */
  public static JFreeChart curves(List<MetricsRow> rows) {
    XYSeriesCollection loss = new XYSeriesCollection();
    XYSeriesCollection acc = new XYSeriesCollection();
    XYSeries trainLoss = new XYSeries("train loss");
    XYSeries valLoss = new XYSeries("validation loss");
    XYSeries trainAcc = new XYSeries("train accuracy (augmented)");
    XYSeries valAcc = new XYSeries("validation accuracy");
    for (MetricsRow r : rows) {
      trainLoss.add(r.epoch(), r.trainLoss());
      trainAcc.add(r.epoch(), 100 * r.trainAcc());
      if (!Double.isNaN(r.valLoss())) valLoss.add(r.epoch(), r.valLoss());
      if (!Double.isNaN(r.valAcc())) valAcc.add(r.epoch(), 100 * r.valAcc());
    }
    loss.addSeries(trainLoss);
    acc.addSeries(trainAcc);
    if (valLoss.getItemCount() > 0) loss.addSeries(valLoss);
    if (valAcc.getItemCount() > 0) acc.addSeries(valAcc);
    NumberAxis epoch = integerAxis("epoch");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epoch);
    plot.setGap(12);
    plot.add(xyPlot(loss, null, axis("loss", false), lines(BLUE, ORANGE)), 1);
    plot.add(xyPlot(acc, null, axis("accuracy (%)", false), lines(BLUE, ORANGE)), 1);
    return chart("Loss and accuracy per epoch", plot, true);
  }

  /**
   * The learning rate at every optimizer step, recomputed from the run's schedule, with the rate
   * logged at each epoch's end marked.
   */
  public static JFreeChart learningRate(
      long totalSteps, LongToDoubleFunction lrAt, List<MetricsRow> rows) {
    XYSeries schedule = new XYSeries("schedule");
    long every = Math.max(1, totalSteps / 400); // a few hundred points draw any schedule smoothly
    for (long s = 0; s < totalSteps; s += every) schedule.add(s + 1, lrAt.applyAsDouble(s));
    if (totalSteps > 0) schedule.add(totalSteps, lrAt.applyAsDouble(totalSteps - 1));
    XYSeries logged = new XYSeries("logged at epoch end");
    for (MetricsRow r : rows) logged.add(r.step(), r.lr());
    XYSeriesCollection data = new XYSeriesCollection(schedule);
    data.addSeries(logged);
    XYLineAndShapeRenderer r = lines(BLUE, ORANGE);
    r.setSeriesShapesVisible(0, false);
    r.setSeriesLinesVisible(1, false);
    r.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
    XYPlot plot = xyPlot(data, integerAxis("optimizer step"), axis("learning rate", false), r);
    plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // epoch-end marks on top
    return chart("Learning rate per step", plot, true);
  }

  /** Confusion matrix normalised by row (each true class sums to 1), with class names. */
  public static JFreeChart confusion(EvalReport eval) {
    List<String> classes = eval.classes();
    int k = classes.size();
    int[][] cm = eval.confusion();
    double[] xs = new double[k * k];
    double[] ys = new double[k * k];
    double[] zs = new double[k * k];
    String[] names = classes.toArray(String[]::new);
    SymbolAxis predicted = new SymbolAxis("predicted class", names);
    SymbolAxis truth = new SymbolAxis("true class", names);
    truth.setInverted(true); // first class on top, like the printed matrix
    predicted.setVerticalTickLabels(k > 5);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(new BlueScale());
    XYPlot plot = new XYPlot(new DefaultXYZDataset(), predicted, truth, renderer);
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, k > 12 ? 8 : 12);
    for (int i = 0; i < k; i++) {
      int support = 0;
      for (int v : cm[i]) support += v;
      for (int j = 0; j < k; j++) {
        double z = support == 0 ? 0 : (double) cm[i][j] / support;
        xs[i * k + j] = j;
        ys[i * k + j] = i;
        zs[i * k + j] = z;
        if (z >= 0.005) {
          XYTextAnnotation a = new XYTextAnnotation(String.format("%.2f", z), j, i);
          a.setFont(font);
          a.setPaint(z > 0.5 ? Color.WHITE : Color.BLACK);
          plot.addAnnotation(a);
        }
      }
    }
    ((DefaultXYZDataset) plot.getDataset()).addSeries("share", new double[][] {xs, ys, zs});
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    return chart("Confusion matrix (row-normalised: recall on the diagonal)", plot, false);
  }

  /** Precision, recall and F1 of every class as grouped bars. */
  public static JFreeChart perClass(EvalReport eval) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (EvalReport.ClassStats c : eval.perClass()) {
      data.addValue(c.precision(), "precision", c.name());
      data.addValue(c.recall(), "recall", c.name());
      data.addValue(c.f1(), "F1", c.name());
    }
    return chart("Precision, recall and F1 per class", barPlot(data, "class", "score", 0, 1), true);
  }

  /** Per-class recall change of B against A, in percentage points. */
  public static JFreeChart recallDeltas(List<String> names, double[] deltas) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (int i = 0; i < names.size(); i++) data.addValue(deltas[i], "B - A", names.get(i));
    CategoryPlot plot = barPlot(data, "class", "recall change (points)", Double.NaN, Double.NaN);
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setSeriesPaint(0, BLUE);
    return chart("Recall of B minus recall of A, per class", plot, false);
  }

  /**
   * Reliability diagram: accuracy of the images in each confidence bin against the bin's
   * confidence; a calibrated model follows the diagonal (Guo et al. 2017).
   */
  public static JFreeChart reliability(Calibration cal) {
    XYSeries acc = new XYSeries("accuracy in bin");
    XYSeries conf = new XYSeries("mean confidence in bin");
    for (Calibration.Bin b : cal.bins()) {
      if (b.count() == 0) continue;
      acc.add(b.centre(), b.accuracy());
      conf.add(b.centre(), b.confidence());
    }
    XYSeriesCollection bars = new XYSeriesCollection(acc);
    bars.setIntervalWidth(1.0 / cal.bins().size());
    XYBarRenderer barRenderer = new XYBarRenderer(0.05);
    barRenderer.setBarPainter(new StandardXYBarPainter());
    barRenderer.setShadowVisible(false);
    barRenderer.setSeriesPaint(0, BLUE);
    barRenderer.setDrawBarOutline(true);
    barRenderer.setSeriesOutlinePaint(0, Color.WHITE);
    NumberAxis x = axis("confidence (top-1 probability)", false);
    x.setRange(0, 1);
    NumberAxis y = axis("accuracy", false);
    y.setRange(0, 1);
    XYPlot plot = xyPlot(bars, x, y, barRenderer);
    XYSeries diag = new XYSeries("perfect calibration");
    diag.add(0, 0);
    diag.add(1, 1);
    XYSeriesCollection lineData = new XYSeriesCollection(diag);
    lineData.addSeries(conf);
    XYLineAndShapeRenderer line = lines(Color.GRAY, RED);
    line.setSeriesStroke(
        0,
        new BasicStroke(
            1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    line.setSeriesLinesVisible(1, false);
    line.setSeriesShapesVisible(1, true);
    plot.setDataset(1, lineData);
    plot.setRenderer(1, line);
    plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD); // the diagonal over the bars
    return chart(String.format("Reliability diagram (ECE %.4f)", cal.ece()), plot, true);
  }

  private static CategoryPlot barPlot(
      DefaultCategoryDataset data, String xLabel, String yLabel, double lo, double hi) {
    CategoryAxis x = new CategoryAxis(xLabel);
    if (data.getColumnCount() > 6) x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    NumberAxis y = axis(yLabel, false);
    if (!Double.isNaN(lo)) y.setRange(lo, hi);
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setItemMargin(0.02);
    Paint[] palette = {BLUE, ORANGE, GREEN};
    for (int i = 0; i < palette.length; i++) r.setSeriesPaint(i, palette[i]);
    CategoryPlot plot = new CategoryPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    return plot;
  }

  private static XYPlot xyPlot(
      XYSeriesCollection data,
      NumberAxis x,
      NumberAxis y,
      org.jfree.chart.renderer.xy.XYItemRenderer r) {
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    return plot;
  }

  private static XYLineAndShapeRenderer lines(Color... colours) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < colours.length; i++) {
      r.setSeriesPaint(i, colours[i]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    return r;
  }

  private static NumberAxis axis(String label, boolean includeZero) {
    NumberAxis a = new NumberAxis(label);
    a.setAutoRangeIncludesZero(includeZero);
    return a;
  }

  private static NumberAxis integerAxis(String label) {
    NumberAxis a = axis(label, false);
    a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    return a;
  }

  private static JFreeChart chart(String title, Plot plot, boolean legend) {
    JFreeChart c = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, legend);
    c.setBackgroundPaint(Color.WHITE);
    return c;
  }

  /** White (0) to dark blue (1), for shares in [0, 1]. */
  static final class BlueScale implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double v) {
      double t = Math.sqrt(Math.max(0, Math.min(1, v))); // sqrt: small confusions stay visible
      return new Color(
          (int) Math.round(255 + t * (8 - 255)),
          (int) Math.round(255 + t * (48 - 255)),
          (int) Math.round(255 + t * (107 - 255)));
    }
  }
}
