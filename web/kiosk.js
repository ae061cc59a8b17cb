// kiosk: the verdict panel full screen, to be read from across the bench (/?kiosk=1 or
// the station bar's toggle); the scanner keeps typing into the serial field behind it.

export class Kiosk {
  // toggle, exit: the bar's button and the overlay's; panel: the verdict; refocus(): back to the serial field.
  constructor({ toggle, exit, panel, refocus }) {
    this.toggle = toggle;
    this.exit = exit;
    this.refocus = refocus;
    toggle.addEventListener('click', () => this.set(!this.on));
    exit.addEventListener('click', () => this.set(false));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.on) this.set(false);
    });
    // A tap on the big verdict must not take the focus from the scanner's field.
    panel.addEventListener('click', () => { if (this.on) refocus(); });
    this.set(new URLSearchParams(window.location.search).get('kiosk') === '1', { keepUrl: true });
  }

  set(on, { keepUrl = false } = {}) {
    this.on = on;
    document.body.classList.toggle('kiosk', on);
    this.toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
    this.exit.hidden = !on;
    if (!keepUrl) {
      // The address says it, so a reload (or a bookmark on the bench PC) keeps the view.
      const url = new URL(window.location.href);
      if (on) url.searchParams.set('kiosk', '1');
      else url.searchParams.delete('kiosk');
      window.history.replaceState(null, '', url);
    }
    this.refocus();
  }
}
