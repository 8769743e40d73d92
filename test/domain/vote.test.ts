import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { castBallot, decide, isBallot, tally, type Ballot, type VoteRules } from '../../src/domain/vote.js';

const MT: VoteRules = { quorum: 3, members: ['U1', 'U2', 'U3', 'U4', 'U5'] };
const OPEN = { termPassed: false };
const AT_TERM = { termPassed: true };

describe('tally', () => {
  it('P3.c counts for, against, abstain and the ballots cast', () => {
    expect(tally({ U1: 'for', U2: 'against', U3: 'abstain', U4: 'for' })).toEqual({ for: 2, against: 1, abstain: 1, cast: 4 });
    expect(tally({})).toEqual({ for: 0, against: 0, abstain: 0, cast: 0 });
  });
});

describe('decide', () => {
  it('P3.c stays open before the term while the outcome can still change', () => {
    expect(decide({}, MT, OPEN)).toEqual({ status: 'open' });
    expect(decide({ U1: 'for', U2: 'for' }, MT, OPEN)).toEqual({ status: 'open' });
  });

  it('P3.c closes early once a strict majority of all members voted for', () => {
    expect(decide({ U1: 'for', U2: 'for', U3: 'for' }, MT, OPEN)).toEqual({ status: 'approved' });
  });

  it('P3.c closes early once a strict majority of all members voted against', () => {
    expect(decide({ U1: 'against', U2: 'against', U3: 'against', U4: 'for' }, MT, OPEN)).toEqual({ status: 'rejected' });
  });

  it('P3.c does not close early on a majority that has not reached the quorum', () => {
    const rules: VoteRules = { quorum: 5, members: ['U1', 'U2', 'U3', 'U4', 'U5'] };
    expect(decide({ U1: 'for', U2: 'for', U3: 'for' }, rules, OPEN)).toEqual({ status: 'open' });
    expect(decide({ U1: 'for', U2: 'for', U3: 'for' }, rules, AT_TERM)).toEqual({ status: 'no_quorum' });
  });

  it('P3.c does not close early on a majority of abstentions', () => {
    expect(decide({ U1: 'abstain', U2: 'abstain', U3: 'abstain' }, MT, OPEN)).toEqual({ status: 'open' });
  });

  it('P3.c never closes early when the members are not known here', () => {
    const byGroup: VoteRules = { quorum: 3, members: [] };
    expect(decide({ U1: 'for', U2: 'for', U3: 'for', U4: 'for' }, byGroup, OPEN)).toEqual({ status: 'open' });
    expect(decide({ U1: 'for', U2: 'for', U3: 'for', U4: 'for' }, byGroup, AT_TERM)).toEqual({ status: 'approved' });
  });

  it('P3.c at the term without quorum: no_quorum', () => {
    expect(decide({ U1: 'for', U2: 'for' }, MT, AT_TERM)).toEqual({ status: 'no_quorum' });
    expect(decide({}, MT, AT_TERM)).toEqual({ status: 'no_quorum' });
  });

  it('P3.c at the term with quorum: approved by a majority of for over against', () => {
    expect(decide({ U1: 'for', U2: 'for', U3: 'against' }, MT, AT_TERM)).toEqual({ status: 'approved' });
    expect(decide({ U1: 'for', U2: 'against', U3: 'against' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
  });

  it('P3.c abstentions count for the quorum but not for the majority', () => {
    expect(decide({ U1: 'for', U2: 'abstain', U3: 'abstain' }, MT, AT_TERM)).toEqual({ status: 'approved' });
    expect(decide({ U1: 'against', U2: 'abstain', U3: 'abstain' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
  });

  it('P3.c a tie rejects: eviction needs a majority', () => {
    expect(decide({ U1: 'for', U2: 'against', U3: 'abstain' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
    expect(decide({ U1: 'for', U2: 'for', U3: 'against', U4: 'against' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
    expect(decide({ U1: 'abstain', U2: 'abstain', U3: 'abstain' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
  });

  it('P3.c counts only the ballots of known members', () => {
    // U9 left the MT during the vote: their ballot neither makes the quorum nor the majority.
    expect(decide({ U1: 'for', U2: 'for', U9: 'for' }, MT, AT_TERM)).toEqual({ status: 'no_quorum' });
    expect(decide({ U1: 'for', U2: 'against', U3: 'abstain', U9: 'for' }, MT, AT_TERM)).toEqual({ status: 'rejected' });
  });

  it('P4.b a repeat-verdict vote follows the same rules: an MT majority decides to evict', () => {
    const rules: VoteRules = { quorum: 2, members: ['U1', 'U2', 'U3'] };
    expect(decide({ U1: 'for', U2: 'for' }, rules, OPEN)).toEqual({ status: 'approved' });
    expect(decide({ U1: 'for', U2: 'against' }, rules, AT_TERM)).toEqual({ status: 'rejected' });
  });

  it('P3.c refuses rules that could never produce a valid vote', () => {
    expect(() => decide({}, { quorum: 6, members: MT.members }, AT_TERM)).toThrow(RangeError);
    expect(() => decide({}, { quorum: -1, members: [] }, AT_TERM)).toThrow(RangeError);
    expect(() => decide({}, { quorum: 1.5, members: [] }, AT_TERM)).toThrow(RangeError);
  });

  it('P3.c an early decision is the decision the term would give if nobody else voted', () => {
    const ballot = fc.constantFrom<Ballot>('for', 'against', 'abstain');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.option(ballot), { minLength: 9, maxLength: 9 }),
        fc.integer({ min: 0, max: 9 }),
        (size, votes, q) => {
          const members = Array.from({ length: size }, (_, i) => `U${i}`);
          const rules: VoteRules = { quorum: Math.min(q, size), members };
          const ballots: Record<string, Ballot> = {};
          members.forEach((m, i) => {
            const v = votes[i];
            if (v !== null && v !== undefined) ballots[m] = v;
          });
          const early = decide(ballots, rules, OPEN);
          if (early.status !== 'open') {
            expect(decide(ballots, rules, AT_TERM)).toEqual(early);
            // And no ballot of the members yet to vote could change it.
            for (const m of members.filter((x) => !(x in ballots))) {
              for (const b of ['for', 'against', 'abstain'] as const) {
                expect(decide({ ...ballots, [m]: b }, rules, AT_TERM)).toEqual(early);
              }
            }
          }
        },
      ),
    );
  });
});

describe('castBallot', () => {
  const open = { isMember: true, closed: false };

  it('P3.c records a member’s ballot in a new object', () => {
    const before = { U1: 'for' } as const;
    const result = castBallot(before, 'U2', 'against', open);
    expect(result).toEqual({ ok: true, ballots: { U1: 'for', U2: 'against' } });
    expect(before).toEqual({ U1: 'for' });
  });

  it('P3.c a member may change their ballot until the vote closes: the new one replaces the old', () => {
    const first = castBallot({}, 'U1', 'for', open);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const second = castBallot(first.ballots, 'U1', 'abstain', open);
    expect(second).toEqual({ ok: true, ballots: { U1: 'abstain' } });
    if (second.ok) expect(tally(second.ballots).cast).toBe(1);
  });

  it('P3.c refuses a non-member', () => {
    expect(castBallot({}, 'U9', 'for', { isMember: false, closed: false })).toEqual({ ok: false, reason: 'not_member' });
  });

  it('P3.c refuses a ballot after the vote closed', () => {
    expect(castBallot({ U1: 'for' }, 'U1', 'against', { isMember: true, closed: true })).toEqual({ ok: false, reason: 'closed' });
  });

  it('P3.c tells a non-member they cannot vote, also after closing', () => {
    expect(castBallot({}, 'U9', 'for', { isMember: false, closed: true })).toEqual({ ok: false, reason: 'not_member' });
  });

  it('P4.b the same ballot rules hold for a repeat-verdict vote', () => {
    expect(castBallot({}, 'U1', 'for', open).ok).toBe(true);
    expect(castBallot({}, 'U1', 'for', { isMember: true, closed: true }).ok).toBe(false);
  });

  it('isBallot accepts only the three ballots (button values arrive as strings)', () => {
    expect(['for', 'against', 'abstain'].every(isBallot)).toBe(true);
    expect(isBallot('voor')).toBe(false);
    expect(isBallot(undefined)).toBe(false);
  });
});
