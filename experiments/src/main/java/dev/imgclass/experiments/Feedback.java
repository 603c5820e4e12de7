package dev.imgclass.experiments;

/**
 * The truth about an earlier request, attached by its request id: the true class index, or a reward
 * (exactly one of the two is present).
 *
 * @param requestId the request it is about
 * @param label the true class index, or null
 * @param reward a reward, or null
 * @param timeMillis when it arrived, epoch milliseconds
 */
public record Feedback(String requestId, Integer label, Double reward, long timeMillis) {
  public Feedback {
    if ((label == null) == (reward == null))
      throw new IllegalArgumentException("feedback needs exactly one of label and reward");
  }
}
