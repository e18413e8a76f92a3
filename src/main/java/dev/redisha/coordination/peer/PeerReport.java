package dev.redisha.coordination.peer;

/** The newest advert from one peer and when it arrived (agent clock, ms). */
public record PeerReport(Advert advert, long receivedAtMillis) {}
