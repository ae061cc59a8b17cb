// sound: short tones for PASS, FAIL and a refused scan, made by Web Audio (no files);
// PASS and FAIL only when the operator turns sound on (remembered per browser).

const KEY = 'tonewire.sound';

// Each sound: [frequency Hz, start s, length s, waveform] — a rising pair for a
// pass, a low falling pair for a fail, a three-times alarm for a refused scan.
const SOUNDS = {
  pass: [[660, 0, 0.12, 'sine'], [990, 0.13, 0.2, 'sine']],
  fail: [[330, 0, 0.22, 'square'], [220, 0.25, 0.4, 'square']],
  refused: [[880, 0, 0.15, 'sawtooth'], [440, 0.18, 0.15, 'sawtooth'], [880, 0.36, 0.15, 'sawtooth'],
    [440, 0.54, 0.15, 'sawtooth'], [880, 0.72, 0.3, 'sawtooth']],
  blip: [[880, 0, 0.08, 'sine']],
};

export class Sound {
  constructor(button) {
    this.button = button;
    this.ctx = null;
    this.played = 0;
    try { this.on = localStorage.getItem(KEY) === 'on'; } catch { this.on = false; }
    this.render();
    button.addEventListener('click', () => this.toggle());
    // A browser lets a page make sound only after a key or a click: the first
    // one (a scan's Enter) opens the audio, so a refusal can be heard later.
    const unlock = () => this.unlock();
    document.addEventListener('keydown', unlock, { capture: true });
    document.addEventListener('pointerdown', unlock, { capture: true });
  }

  render() {
    this.button.setAttribute('aria-pressed', this.on ? 'true' : 'false');
    this.button.textContent = this.on ? 'Sound: on' : 'Sound: off';
  }

  toggle() {
    this.on = !this.on;
    try { localStorage.setItem(KEY, this.on ? 'on' : 'off'); } catch { /* private mode: this page only */ }
    this.render();
    this.unlock();
    if (this.on) this.play('blip');
  }

  unlock() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!this.ctx) this.ctx = new Ctx();
    if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  // A verdict's sound when sound is on; a refused scan's always (it must be heard).
  verdict(v) {
    if (this.on && (v === 'pass' || v === 'fail' || v === 'error')) this.play(v === 'pass' ? 'pass' : 'fail');
  }

  refused() {
    this.play('refused');
  }

  play(name) {
    const notes = SOUNDS[name];
    const ctx = this.ctx;
    if (!notes || !ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime + 0.01;
    for (const [freq, start, len, type] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      // A short attack and release: no click at either end.
      gain.gain.setValueAtTime(0, t0 + start);
      gain.gain.linearRampToValueAtTime(type === 'sine' ? 0.3 : 0.12, t0 + start + 0.01);
      gain.gain.setValueAtTime(type === 'sine' ? 0.3 : 0.12, t0 + start + len - 0.02);
      gain.gain.linearRampToValueAtTime(0, t0 + start + len);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + len + 0.01);
    }
    // What was last played, for the page's tests (and anyone curious).
    this.played += 1;
    document.body.dataset.sound = name;
    document.body.dataset.sounds = String(this.played);
  }
}
