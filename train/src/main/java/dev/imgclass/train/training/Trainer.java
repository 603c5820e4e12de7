package dev.imgclass.train.training;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.LrSchedule;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training loop: epochs of batches through a {@link TrainTask}, validation at each epoch end,
 * everything else (display, metrics, checkpoints) in listeners. With a weight average ({@link
 * Ema}), validation scores the average. Stops at the first non-finite loss, before that step
 * changes any weight.
 */
public final class Trainer {
  private final TrainTask task;
  private final BatchLoader loader;
  private final LrSchedule schedule;
  private final Optional<Dataset> val;
  private final Evaluator evaluator;
  private final Optional<Ema> ema;
  private final List<TrainListener> listeners;

  Trainer(
      TrainTask task,
      BatchLoader loader,
      LrSchedule schedule,
      Optional<Dataset> val,
      Evaluator evaluator,
      Optional<Ema> ema,
      List<TrainListener> listeners) {
    this.task = task;
    this.loader = loader;
    this.schedule = schedule;
    this.val = val;
    this.evaluator = evaluator;
    this.ema = ema;
    this.listeners = listeners;
  }

  public void fit(TrainState from, int epochs) {
    int batches = loader.batchesPerEpoch();
    listeners.forEach(l -> l.onStart(epochs, batches, from));
    long step = from.globalStep();
    for (int epoch = from.epoch(); epoch < epochs; epoch++) {
      int[] order = loader.order(epoch);
      double lossSum = 0;
      Map<String, Double> partSums = new LinkedHashMap<>();
      long correct = 0;
      long images = 0;
      long t0 = System.nanoTime();
      double lr = 0;
      int first = epoch == from.epoch() ? from.batch() : 0;
      java.util.Iterator<Batch> it = loader.epoch(order, epoch, first);
      for (int b = first; b < batches; b++) {
        Batch batch = it.next();
        lr = schedule.at(step);
        StepResult r = task.step(batch, lr);
        if (!r.finite()) {
          throw new ImgclassException(
              String.format(
                  "training diverged: the loss became %s at epoch %d, step %d (lr %.3g); lower --lr (the default is 0.1 for sgd) — checkpoints from before this step are kept",
                  r.loss(), epoch + 1, b + 1, lr));
        }
        step++;
        lossSum += r.loss() * r.images();
        r.parts().forEach((name, v) -> partSums.merge(name, v * r.images(), Double::sum));
        correct += r.correct();
        images += r.images();
        double secs = (System.nanoTime() - t0) / 1e9;
        var s =
            new TrainListener.Step(
                epoch,
                b,
                batches,
                step,
                lr,
                r,
                lossSum / images,
                (double) correct / images,
                images,
                secs);
        listeners.forEach(l -> l.onStep(s));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long seen = images;
      partSums.replaceAll((name, sum) -> sum / Math.max(1, seen));
      double valLoss = Double.NaN;
      double valAcc = Double.NaN;
      if (val.isPresent()) {
        Dataset v = val.get();
        EvalReport r =
            ema.isPresent()
                ? ema.get().withAverage(() -> evaluator.evaluate(v))
                : evaluator.evaluate(v);
        valLoss = r.loss();
        valAcc = r.top1();
      }
      var e =
          new TrainListener.Epoch(
              epoch,
              epochs,
              step,
              lr,
              images == 0 ? 0 : lossSum / images,
              images == 0 ? 0 : (double) correct / images,
              valLoss,
              valAcc,
              seconds,
              images / Math.max(seconds, 1e-9),
              Rss.megabytes(),
              partSums);
      listeners.forEach(l -> l.onEpoch(e));
    }
  }
}
