/**
 * The widget's colour theme, from the script tag's `data-theme`: `light`, `dark`, or `auto` (the
 * default). The result is written to the container as `data-bt-theme="light|dark"`, which the
 * stylesheet keys its palette on, and `data-bt-theme-mode="auto|canvas|fixed"`: a fixed theme paints its own
 * background and text colour (the owner chose it whatever the page looks like), auto keeps the page's
 * (`canvas` when the page paints none: then the widget paints the canvas colour itself).
 *
 * `auto` follows the HOST PAGE, not only the operating system: a light blog read with a dark OS
 * setting must not get pale accents on white (prefers-color-scheme alone would do that). The page's
 * background is what the reader sees behind the widget, so it decides when the page paints one;
 * otherwise the page's declared `color-scheme` decides what the browser paints (its canvas).
 */

export type Scheme = 'light' | 'dark';
export type ThemeSetting = Scheme | 'auto';

export function themeSetting(value: string | undefined): ThemeSetting {
  return value === 'light' || value === 'dark' ? value : 'auto';
}

/** sRGB channels 0–255 and alpha 0–1 of a computed colour (`rgb()`/`rgba()`/`color(srgb …)`), or undefined. */
function parseColor(value: string): { rgb: [number, number, number]; alpha: number } | undefined {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value);
  if (m) return { rgb: [Number(m[1]), Number(m[2]), Number(m[3])], alpha: alphaOf(m[4]) };
  const c = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/.exec(value);
  if (c) return { rgb: [Number(c[1]) * 255, Number(c[2]) * 255, Number(c[3]) * 255], alpha: alphaOf(c[4]) };
  return undefined;
}

function alphaOf(a: string | undefined): number {
  if (a === undefined) return 1;
  return a.endsWith('%') ? Number(a.slice(0, -1)) / 100 : Number(a);
}

/** WCAG 2 relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance). */
export function luminance([r, g, b]: readonly [number, number, number]): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * Dark when black text would contrast less than white text with `rgb`: the crossover of the two
 * WCAG contrast ratios is at luminance ≈ 0.179.
 */
function isDark(rgb: readonly [number, number, number]): boolean {
  return luminance(rgb) < 0.179;
}

/** The first opaque-enough background behind `el`, walking up to <html>; undefined when none is painted. */
function paintedBackground(el: Element | null): [number, number, number] | undefined {
  for (let node = el; node; node = node.parentElement) {
    const c = parseColor(getComputedStyle(node).backgroundColor);
    // A mostly transparent layer shows what is under it: keep walking.
    if (c && c.alpha >= 0.5) return c.rgb;
  }
  return undefined;
}

/** The scheme the page declares (CSS `color-scheme` where the widget sits, else `<meta name="color-scheme">`). */
function declaredScheme(el: Element): Scheme | undefined {
  const css = getComputedStyle(el).colorScheme || '';
  const meta = document.querySelector<HTMLMetaElement>('meta[name="color-scheme"]')?.content || '';
  const value = css && css !== 'normal' ? css : meta;
  const words = value.toLowerCase().split(/\s+/);
  const light = words.includes('light');
  const dark = words.includes('dark');
  // "light dark": the page supports both, and the browser picks by the reader's OS setting.
  if (light && dark) return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  if (dark) return 'dark';
  if (light) return 'light';
  return undefined;
}

/** The host page's scheme around `el`. */
export function hostScheme(el: Element): { scheme: Scheme; painted: boolean } {
  const bg = paintedBackground(el);
  if (bg) return { scheme: isDark(bg) ? 'dark' : 'light', painted: true };
  // Nothing painted: the browser's canvas shows, which is dark only under a dark colour scheme.
  return { scheme: declaredScheme(el) ?? 'light', painted: false };
}

/**
 * Sets the theme on the widget's container and, for `auto`, keeps it in step with the page: a blog
 * whose own dark-mode switch changes a class or style on <html>/<body>, or an OS change that a
 * "light dark" page follows.
 */
export function applyTheme(root: HTMLElement, setting: ThemeSetting): void {
  const update = () => {
    if (setting !== 'auto') {
      root.dataset.btThemeMode = 'fixed';
      root.dataset.btTheme = setting;
      return;
    }
    // Measured without the container's own attributes, so the widget's background never feeds back.
    delete root.dataset.btTheme;
    delete root.dataset.btThemeMode;
    const host = hostScheme(root);
    root.dataset.btTheme = host.scheme;
    // On the bare canvas the widget paints the same colours the browser does (white, or near-black
    // under a dark color-scheme), so its text has a defined background to contrast with.
    root.dataset.btThemeMode = host.painted ? 'auto' : 'canvas';
  };
  update();
  if (setting !== 'auto') return;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', update);
  const watch = new MutationObserver(update);
  const options = { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] };
  watch.observe(document.documentElement, options);
  if (document.body) watch.observe(document.body, options);
}
