import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';

/** Asks for the API token once; `notice` is a dictionary key saying why (the last token was refused). */
export function SignIn({ notice, onSignIn }) {
  const [value, setValue] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (value.trim()) onSignIn(value.trim());
  };
  return html`
    <form class="signin" onSubmit=${submit} data-view="signin">
      <h1>${t('signin.title')}</h1>
      ${notice ? html`<p class="failure" role="alert">${t(notice)}</p>` : null}
      <p>${t('signin.help')}</p>
      <label>${t('signin.token')} <input name="token" type="password" autocomplete="off" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
      <button type="submit">${t('signin.submit')}</button>
    </form>
  `;
}
