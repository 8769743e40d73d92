/**
 * The Management Team vote on starting an eviction procedure (P3.c) or evicting after a repeat
 * verdict (P4.b). Pure rules: who may vote, when the vote is decided and how.
 */

export type Ballot = 'for' | 'against' | 'abstain';

export const BALLOTS: readonly Ballot[] = Object.freeze(['for', 'against', 'abstain']);

export function isBallot(value: unknown): value is Ballot {
  return typeof value === 'string' && (BALLOTS as readonly string[]).includes(value);
}

export interface VoteRules {
  /** Ballots (abstentions included) needed for a valid decision. */
  quorum: number;
  /** Slack user ids; empty when membership comes from a user group and is checked elsewhere. */
  members: readonly string[];
}

/** Keyed by Slack user id; a member has at most one ballot. */
export type Ballots = Readonly<Record<string, Ballot>>;

export interface Tally {
  for: number;
  against: number;
  abstain: number;
  cast: number;
}

export type VoteDecision = { status: 'open' } | { status: 'approved' | 'rejected' | 'no_quorum' };

export type CastResult = { ok: true; ballots: Record<string, Ballot> } | { ok: false; reason: 'not_member' | 'closed' };

export function tally(ballots: Ballots): Tally {
  const result: Tally = { for: 0, against: 0, abstain: 0, cast: 0 };
  for (const ballot of Object.values(ballots)) {
    result[ballot]++;
    result.cast++;
  }
  return result;
}

function assertRules(rules: VoteRules): void {
  if (!Number.isInteger(rules.quorum) || rules.quorum < 0)
    throw new RangeError(`VoteRules: quorum must be an integer >= 0, got ${rules.quorum}`);
  const memberCount = new Set(rules.members).size;
  if (memberCount > 0 && rules.quorum > memberCount) {
    // Such a vote could never be valid; better to fail at once than to end every vote in no_quorum.
    throw new RangeError(`VoteRules: quorum ${rules.quorum} exceeds the ${memberCount} members`);
  }
}

/**
 * The state of the vote.
 *
 * When the members are known, only their ballots count: someone who left the MT while the vote ran
 * no longer speaks for it. The vote then closes early once a strict majority of all members voted
 * the same way and the quorum is reached, because no later ballot can change the outcome. Without
 * a known membership no early result is possible (nobody knows how many are still to vote), so the
 * vote stays open until its term.
 *
 * At the term: fewer ballots than the quorum is `no_quorum`; otherwise approved only when `for`
 * outnumbers `against`. Abstentions count for the quorum but not for the majority. A tie rejects:
 * eviction is the heaviest measure the corporation has, and it needs a majority for it.
 */
export function decide(ballots: Ballots, rules: VoteRules, timing: { termPassed: boolean }): VoteDecision {
  assertRules(rules);
  const members = new Set(rules.members);
  const counted = members.size === 0 ? ballots : Object.fromEntries(Object.entries(ballots).filter(([id]) => members.has(id)));
  const t = tally(counted);

  if (members.size > 0 && t.cast >= rules.quorum) {
    const majority = Math.floor(members.size / 2) + 1;
    if (t.for >= majority) return { status: 'approved' };
    if (t.against >= majority) return { status: 'rejected' };
  }
  if (!timing.termPassed) return { status: 'open' };
  if (t.cast < rules.quorum) return { status: 'no_quorum' };
  return { status: t.for > t.against ? 'approved' : 'rejected' };
}

/**
 * Records `member`'s ballot, replacing an earlier one: a member may change their mind until the vote
 * closes. Membership is checked before closure, so a non-member always hears that they cannot vote
 * rather than a hint that they might have, had they been quicker.
 */
export function castBallot(ballots: Ballots, member: string, ballot: Ballot, context: { isMember: boolean; closed: boolean }): CastResult {
  if (!context.isMember) return { ok: false, reason: 'not_member' };
  if (context.closed) return { ok: false, reason: 'closed' };
  return { ok: true, ballots: { ...ballots, [member]: ballot } };
}
