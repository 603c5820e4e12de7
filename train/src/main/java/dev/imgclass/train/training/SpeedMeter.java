package dev.imgclass.train.training;

/** Training throughput over all steps of this process (validation excluded). */
final class SpeedMeter implements TrainListener {
  private double seconds;
  private long images;

  @Override
  public void onEpoch(Epoch e) {
    seconds += e.seconds();
    images += Math.round(e.imagesPerSecond() * e.seconds());
  }

  double imagesPerSecond() {
    return seconds > 0 ? images / seconds : 0;
  }
}
