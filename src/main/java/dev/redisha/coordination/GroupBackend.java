package dev.redisha.coordination;

import java.util.Map;

/**
 * What a coordination backend offers the group policy: primitives only, as Patroni's DCS classes
 * ({@code AbstractDCS}) offer {@code Ha}. The policy ({@link GroupPolicy}) holds every rule; a
 * backend only says who is there and what they publish, keeps the leader and its epoch, and
 * carries this member's status, the pause flag and a handover to every member.
 *
 * <p>The peer backend implements it over authenticated UDP adverts ({@code
 * coordination.peer.MasterElection}); a quorum backend (ZooKeeper) would keep the leader in a
 * znode, take it with a compare-and-set, and publish members as ephemeral nodes. All calls come
 * from the decision thread.
 */
public interface GroupBackend {

  /** Membership: the newest status of every configured member heard so far, by node id. */
  Map<String, MemberReport> members();

  /** Liveness: the members that count as alive at {@code now} (heard within the down time). */
  Map<String, MemberReport> live(long now);

  /**
   * Adopts a newer leader and epoch, or a newer pause state, that the group shows, before the
   * policy decides; each change is told to {@code changes} as it is adopted.
   */
  void adoptNewer(Map<String, MemberReport> live, long now, Changes changes);

  /** The leader (master) of the current epoch as this member knows it, "" if none. */
  String leader();

  long epoch();

  /**
   * An attempt to take the leadership for {@code next.epoch()} (higher than any known): it can
   * fail, because the epoch could not be recorded or (with a quorum) another member took it first.
   *
   * @param next this member's state with the new epoch, itself as leader, and its data claim
   * @return whether this member is now the leader of that epoch
   */
  boolean tryTakeLeadership(DurableState next);

  /** The leadership moved by a planned handover (to {@code leader}, for {@code epoch}). */
  void leadershipHandedOver(long epoch, String leader, DurableState next);

  /** The group's pause flag, as this member knows it. */
  Maintenance maintenance();

  /** Sets the group's pause flag; false if it is in effect but not yet durable. */
  boolean setMaintenance(Maintenance m);

  /**
   * Publishes this member's status to the group (role, replication id and offset, data claim,
   * persisting, priority, and the handover the master runs or its endpoints are held for: the
   * switchover every member sees).
   */
  void publish(MemberStatus mine);

  /** What {@link #adoptNewer} found, told to the policy as it happens. */
  interface Changes {
    /** A newer epoch (or a tie lost) was adopted: {@code before} was the leader, {@code after} is. */
    void leaderAdopted(String before, String after, long now);

    /** A newer pause state was adopted. */
    void maintenanceAdopted();
  }
}
