import type { CheckRequest } from '../../src/check/types.js';
import type { VantageOutcome } from '../../src/diagnose/vantage-types.js';
import type { ProbeFromOptions, VantageInfo, VantageProbes } from '../../src/vantage/types.js';
import { aDiagnosis, type PortSketch } from './diagnosis-builder.js';
import type { World } from './watch-harness.js';

// VantageProbes at the seam, for watch tests: what each vantage answers right now. The bot's own
// vantage runs the world's check, as the real client runs the bot's own probe; the queue and its
// workers are tested where they are built.

/** What a scripted vantage does when asked: answer with these ports, or stay silent. */
export type VantageScript = PortSketch[] | 'no-worker' | 'no-answer' | 'refused';

export class FakeVantages implements VantageProbes {
  readonly local = 'bot';
  readonly scripts = new Map<string, VantageScript>();
  readonly calls: Array<{ names: string[]; target: string; priority: ProbeFromOptions['priority'] }> = [];
  /** Set to make probeFrom throw (a bug or the database failing). */
  broken = false;

  constructor(private readonly world: World) {}

  set(vantage: string, script: VantageScript): void {
    this.scripts.set(vantage, script);
  }

  async list(): Promise<VantageInfo[]> {
    const others = [...this.scripts.keys()].map(
      (name): VantageInfo => ({
        name,
        local: false,
        liveWorkers: this.scripts.get(name) === 'no-worker' ? 0 : 1,
        versions: ['test'],
        lastSeen: this.world.now().toISOString(),
        live: this.scripts.get(name) !== 'no-worker',
      }),
    );
    return [
      { name: this.local, local: true, liveWorkers: 0, versions: [], lastSeen: null, live: true },
      ...others,
    ];
  }

  async probeFrom(
    names: string[],
    request: CheckRequest,
    options: ProbeFromOptions,
  ): Promise<VantageOutcome[]> {
    this.calls.push({ names: [...names], target: request.target, priority: options.priority });
    if (this.broken) throw new Error('the probe queue is gone');
    return Promise.all(names.map((name) => this.answer(name, request)));
  }

  private async answer(vantage: string, request: CheckRequest): Promise<VantageOutcome> {
    if (vantage === this.local)
      return { vantage, kind: 'answered', diagnosis: await this.world.runCheck(request) };
    const script = this.scripts.get(vantage) ?? 'no-worker';
    const lastSeen = new Date(this.world.nowMs - 3 * 60_000).toISOString();
    if (script === 'no-worker') return { vantage, kind: 'no-worker', lastSeen: null };
    if (script === 'no-answer')
      return { vantage, kind: 'no-answer', lastSeen, deadlineMs: 30_000, taken: true };
    if (script === 'refused')
      return { vantage, kind: 'refused', reason: 'the target is outside ALLOW_TARGETS' };
    const ports = request.ports.length > 0 ? script.filter((p) => request.ports.includes(p.port)) : script;
    const diagnosis = aDiagnosis(request.target, ports);
    return {
      vantage,
      kind: 'answered',
      diagnosis: { ...diagnosis, checkedAt: this.world.now().toISOString() },
    };
  }
}
