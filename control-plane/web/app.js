// The ops page: sign-in, the navigation, the live event stream, and the view the address names
// (#/fleet, #/alarms, #/box/<id>, #/bulletins, #/commands).
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from './html.js';
import { followEvents, signIn, signOut, token } from './api.js';
import { LANGS, lang, setLang, t } from './i18n.js';
import { eventBus, LiveContext, UserContext } from './live.js';
import { AlarmsView } from './views/alarms.js';
import { BoxView } from './views/box.js';
import { BulletinsView } from './views/bulletins.js';
import { CommandsView } from './views/commands.js';
import { FleetView } from './views/fleet.js';
import { SignIn } from './views/signin.js';

const VIEWS = ['fleet', 'alarms', 'box', 'bulletins', 'commands'];

function parseHash() {
  const [view, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { view: VIEWS.includes(view) ? view : 'fleet', arg: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

function View({ route }) {
  switch (route.view) {
    case 'alarms':
      return html`<${AlarmsView} />`;
    case 'box':
      return html`<${BoxView} id=${route.arg} />`;
    case 'bulletins':
      return html`<${BulletinsView} />`;
    case 'commands':
      return html`<${CommandsView} />`;
    default:
      return html`<${FleetView} />`;
  }
}

function App() {
  const [language, setLanguage] = useState(lang());
  const [signedIn, setSignedIn] = useState(token() !== null);
  const [notice, setNotice] = useState(null);
  const [route, setRoute] = useState(parseHash());
  const [live, setLive] = useState(false);
  const [user, setUser] = useState(null);
  const bus = useMemo(eventBus, []);

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const refused = () => {
      signOut();
      setSignedIn(false);
      setUser(null);
      setNotice('err.401');
    };
    window.addEventListener('countyline:unauthorized', refused);
    return () => window.removeEventListener('countyline:unauthorized', refused);
  }, []);
  useEffect(() => {
    if (!signedIn) return undefined;
    return followEvents(
      (name, data) => {
        if (name === 'hello') setUser({ user: data.user, role: data.role });
        bus.publish(name, data);
      },
      (open, failure) => {
        setLive(open);
        if (failure?.status === 401) window.dispatchEvent(new CustomEvent('countyline:unauthorized'));
      },
    );
  }, [signedIn]);

  const switchLanguage = () => {
    const next = LANGS.find((l) => l !== language);
    setLang(next);
    setLanguage(next);
  };
  const languageButton = html`<button type="button" class="lang" onClick=${switchLanguage}>${t('otherLanguage')}</button>`;
  document.title = t('appTitle');

  if (!signedIn) {
    return html`<header class="top"><h1>${t('appTitle')}</h1>${languageButton}</header>
      <main key=${language}>
        <${SignIn}
          notice=${notice}
          onSignIn=${(value) => {
            signIn(value);
            setNotice(null);
            setSignedIn(true);
          }}
        />
      </main>`;
  }
  return html`
    <${LiveContext.Provider} value=${bus}>
      <${UserContext.Provider} value=${user}>
        <header class="top">
          <h1>${t('appTitle')}</h1>
          <nav>${VIEWS.map((v) => html`<a href=${`#/${v}`} class=${route.view === v ? 'current' : ''} data-nav=${v}>${t(`nav.${v}`)}</a>`)}</nav>
          <span class=${`live ${live ? 'on' : 'off'}`} data-live=${String(live)}>${t(live ? 'live.on' : 'live.off')}</span>
          ${user ? html`<span class="user">${t('whoAmI', user.user, t(`role.${user.role}`))}</span>` : null}
          ${languageButton}
          <button
            type="button"
            onClick=${() => {
              signOut();
              setSignedIn(false);
              setUser(null);
            }}
          >
            ${t('signOut')}
          </button>
        </header>
        <main key=${language}><${View} route=${route} /></main>
      <//>
    <//>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
