// Data that follows central: each view loads what it shows from the API, and loads it again
// when the event stream says something it shows has changed (and after a reconnect, since
// events may have been missed while the stream was down).
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';

/** The stream's events, to subscribe to: subscribe(fn(name, data)) returns unsubscribe(). */
export function eventBus() {
  const listeners = new Set();
  return {
    publish(name, data) {
      for (const fn of listeners) fn(name, data);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

export const LiveContext = createContext(eventBus());
/** Who the token is (the stream's hello): { user, role }, or null until known. */
export const UserContext = createContext(null);

/** Events that come in a burst (a birth with its alarms) cause one reload. */
const COALESCE_MS = 250;

/**
 * `load()` now, again when `deps` change, and again when an event `relevant(name, data)`
 * accepts arrives (events within `coalesceMs` of the first cause one reload). Keeps the last
 * data while reloading, so the view does not flicker.
 */
export function useData(load, deps, relevant = () => true, coalesceMs = COALESCE_MS) {
  const bus = useContext(LiveContext);
  const [state, setState] = useState({ data: null, error: null, loaded: false });
  const [round, setRound] = useState(0);
  const timer = useRef(null);
  useEffect(
    () =>
      bus.subscribe((name, data) => {
        if (name !== 'hello' && !relevant(name, data)) return;
        if (timer.current) return;
        timer.current = setTimeout(() => {
          timer.current = null;
          setRound((n) => n + 1);
        }, coalesceMs);
      }),
    [bus, ...deps],
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data, error: null, loaded: true }),
      (error) => current && setState((s) => ({ ...s, error, loaded: true })),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((n) => n + 1) };
}

/** A failed call in the operator's words: 401, 403 (with the role needed), unreachable, or central's own message. */
export function failureText(error) {
  if (!error) return '';
  if (error.status === 401) return t('err.401');
  if (error.status === 403) return t('err.403', t(`role.${error.detail ?? 'operator'}`));
  if (error.status === 0) return t('err.network', error.message);
  if (error.code === 'box-offline') return t('err.box-offline');
  return t('err.other', error.status, error.message);
}

export function Failure({ error }) {
  if (!error) return null;
  return html`<p class="failure" role="alert" data-status=${error.status}>${failureText(error)}</p>`;
}

/** A role at least `need` (viewer < operator < admin). */
export function roleAtLeast(user, need) {
  const order = ['viewer', 'operator', 'admin'];
  return user !== null && order.indexOf(user.role) >= order.indexOf(need);
}
