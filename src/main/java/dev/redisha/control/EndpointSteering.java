package dev.redisha.control;

/**
 * What the controller tells the endpoints at the moments that matter for safety: the VIP must
 * be gone before the local Redis is demoted, and may appear only after it was promoted.
 */
public interface EndpointSteering {
  void beforeLocalDemotion(long epoch);

  void afterLocalPromotion(long epoch);

  EndpointSteering NONE = new EndpointSteering() {
    @Override
    public void beforeLocalDemotion(long epoch) {}

    @Override
    public void afterLocalPromotion(long epoch) {}
  };
}
