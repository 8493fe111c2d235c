import {describe, expect, it} from 'vitest';
import {EventHub, type Subscriber} from '../../../src/daemon/hub.js';
import type {RequestEvent, TrafficEvent} from '../../../src/traffic/event.js';

function request(id: number): RequestEvent {
  return {type: 'request', id, time: 0, method: 'GET', host: 'app.localhost', path: `/${id}`, status: 200, duration: 1, bytes: 0, protocol: 'h1'};
}

/** A subscriber that records what it is sent and whether its stream was ended. */
function viewer(headers = false): Subscriber & {got: TrafficEvent[]; ended: number} {
  const v = {headers, got: [] as TrafficEvent[], ended: 0, send: (e: TrafficEvent) => v.got.push(e), end: () => v.ended++};
  return v;
}

describe('the event hub', () => {
  it('keeps the last events for `logs`, oldest first, dropping the oldest beyond its capacity', () => {
    const hub = new EventHub(3);
    for (let i = 1; i <= 5; i++) hub.emit(request(i));
    expect(hub.history().map((e) => (e as RequestEvent).id)).toEqual([3, 4, 5]);
    expect(hub.history(2).map((e) => (e as RequestEvent).id)).toEqual([4, 5]);
    expect(hub.history(0)).toEqual([]);
  });

  it('sends each event to every live viewer once, and none to a viewer that left', () => {
    const hub = new EventHub();
    const a = viewer();
    const b = viewer();
    hub.subscribe(a);
    const leaveB = hub.subscribe(b);
    hub.emit(request(1));
    leaveB();
    hub.emit(request(2));
    expect(a.got.map((e) => (e as RequestEvent).id)).toEqual([1, 2]);
    expect(b.got.map((e) => (e as RequestEvent).id)).toEqual([1]);
  });

  it('wants headers only while a viewer that asked for them is attached, even if it leaves twice', () => {
    const hub = new EventHub();
    const leavePlain = hub.subscribe(viewer(false));
    expect(hub.wantsHeaders).toBe(false);
    const leaveOne = hub.subscribe(viewer(true));
    const leaveTwo = hub.subscribe(viewer(true));
    expect(hub.wantsHeaders).toBe(true);
    leaveOne();
    leaveOne();
    expect(hub.wantsHeaders).toBe(true);
    leaveTwo();
    expect(hub.wantsHeaders).toBe(false);
    leavePlain();
    expect(hub.wantsHeaders).toBe(false);
  });

  it("ends every viewer's stream once on close and sends nothing after", () => {
    const hub = new EventHub();
    const a = viewer(true);
    const b = viewer();
    hub.subscribe(a);
    hub.subscribe(b);
    hub.close();
    hub.emit(request(1));
    expect([a.ended, b.ended]).toEqual([1, 1]);
    expect([...a.got, ...b.got]).toEqual([]);
    expect(hub.wantsHeaders).toBe(false);
    // History still records for a viewer that attaches later.
    expect(hub.history()).toHaveLength(1);
  });
});
