package io.reseal.pipeline.config;

/**
 * Where a workflow's rotations go besides the archive ({@code workflows[].delivery}). Immutable.
 *
 * @param git commit the rotation to the team's Git repository; {@code null} for the archive alone
 */
public record DeliveryConfig(GitDeliveryConfig git) {}
