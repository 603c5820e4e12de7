package example;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.Images;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.runtime.Prediction;
import dev.imgclass.train.Training;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a ResNet-20 on part of Fashion-MNIST, evaluates it on the test set and classifies the
 * images given on the command line: the whole Java API in one page.
 *
 * <p>Usage: {@code TrainAndClassify RUN_DIR IMAGE...}
 */
public final class TrainAndClassify {
  public static void main(String[] args) {
    Path run = Path.of(args[0]);

    // 1. train: the same run as `imgclass train`, configured by a validated record
    if (!Files.isRegularFile(run.resolve("model.json"))) {
      TrainConfig.Builder recipe = TrainConfig.builder();
      recipe.model = "resnet20";
      recipe.epochs = 1;
      recipe.limit = 12000; // a quick run; drop this line to train on all 60,000 images
      TrainRun.Result result = Training.train(recipe.build(), "fashion-mnist", run);
      System.out.printf("trained %s in %.0f s%n", run, result.wallSeconds());
    }

    // 2. open the run as a Classifier (an .onnx file opens the same way, with ONNX Runtime)
    try (Classifier classifier = Classifiers.open(run)) {
      // 3. evaluate on the 10,000 test images
      Dataset test =
          DataSources.open("fashion-mnist", DataSources.Load.of(classifier.spec()))
              .test()
              .orElseThrow();
      EvalReport report = new Evaluator(classifier, 256).evaluate(test);
      System.out.printf(
          "test top-1 %.2f%% on %d images%n", 100 * report.top1(), report.images());

      // 4. classify pictures (any size, gray or colour: the model's own preprocessing applies)
      for (int i = 1; i < args.length; i++) {
        Path image = Path.of(args[i]);
        List<Prediction> top = classifier.classify(Images.decode(image), 3);
        System.out.printf("%s:", image.getFileName());
        for (Prediction p : top) System.out.printf("  %s %.3f", p.label(), p.probability());
        System.out.println();
      }
    }
  }
}
