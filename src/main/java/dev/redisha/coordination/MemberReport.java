package dev.redisha.coordination;

/** The newest status heard from one member and when it arrived (the agent's monotonic clock, ms). */
public record MemberReport(MemberStatus status, long heardAtMillis) {}
