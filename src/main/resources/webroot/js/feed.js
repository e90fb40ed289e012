// An event's live feed, GET /events/{id}/changes (server-sent events). EventSource reconnects by
// itself and resumes after the last change it got (Last-Event-ID), so nothing is lost or repeated.
// The reader must read the event again (onResync) when the feed says it cannot resume ("reset"), and
// when a new connection starts from now: the first one, or one made after the browser gave up.

import { eventPath } from './api.js';

export const CHANGE_TYPES = [
  'reservation.created', 'reservation.confirmed', 'reservation.cancelled', 'reservation.expired',
  'waitlist.joined', 'waitlist.promoted', 'waitlist.left', 'event.created',
];

const RETRY_MS = 2000;

export class Feed {
  /**
   * onChange(type, data): one change, in order; onResync(): read the event again now, the changes
   * from here on follow; onStatus(state): 'connecting' | 'live' | 'reconnecting'.
   */
  constructor(eventId, { onChange, onResync, onStatus }) {
    this.eventId = eventId;
    this.onChange = onChange;
    this.onResync = onResync;
    this.onStatus = onStatus;
    this.source = null;
    this.closed = false;
    this.timer = 0;
  }

  start() {
    this.connect();
  }

  connect() {
    if (this.closed) {
      return;
    }
    this.onStatus('connecting');
    const source = new EventSource(eventPath(this.eventId, 'changes'));
    this.source = source;
    let opened = false;
    source.addEventListener('open', () => {
      this.onStatus('live');
      if (!opened) {
        opened = true; // a reconnect of the same source resumes: no read needed
        this.onResync();
      }
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // refused (an error status such as 503) or never opened: a new source in a moment
        this.onStatus('reconnecting');
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.connect(), RETRY_MS);
        if (!opened) {
          this.onResync(); // the read says why (a 404 for an event that does not exist)
        }
      } else {
        this.onStatus('reconnecting');
      }
    });
    source.addEventListener('reset', () => this.onResync());
    for (const type of CHANGE_TYPES) {
      source.addEventListener(type, (e) => {
        let data;
        try {
          data = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        this.onChange(type, data);
      });
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.source) {
      this.source.close();
    }
  }
}
