/** The report's stylesheet, inlined and allowed by its hash in the page's Content-Security-Policy. */
export const REPORT_CSS = `:root { color-scheme: light dark; --fg: #1d2330; --bg: #ffffff; --muted: #6b7385; --line: #e3e6ee; --agent: #8a4fd3; --turn: #1f8fb8; --ok: #2e9d57; --failed: #d1423f; --refused: #c98a12; --running: #9aa1b1; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8ee; --bg: #14161c; --muted: #9aa1b1; --line: #2a2e39; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
code, .mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px 16px; margin: 16px 0; }
.facts div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.facts b { display: block; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
.status-ok { color: var(--ok); } .status-bad { color: var(--failed); } .status-warn { color: var(--refused); }
svg.waterfall { width: 100%; display: block; }
svg.waterfall text { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: var(--fg); }
svg.waterfall text.detail { fill: var(--muted); }
svg.waterfall line { stroke: var(--line); }
svg.waterfall rect.agent { fill: var(--agent); } svg.waterfall rect.turn { fill: var(--turn); }
svg.waterfall rect.tool-ok { fill: var(--ok); } svg.waterfall rect.tool-failed { fill: var(--failed); }
svg.waterfall rect.tool-refused { fill: var(--refused); } svg.waterfall rect.running { fill: var(--running); }
svg.waterfall g.row:hover rect.band { fill: var(--line); }
svg.waterfall rect.band { fill: transparent; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.legend i.agent { background: var(--agent); } .legend i.turn { background: var(--turn); } .legend i.tool-ok { background: var(--ok); }
.legend i.tool-failed { background: var(--failed); } .legend i.tool-refused { background: var(--refused); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 6px 10px; }
details summary { cursor: pointer; }
details pre { white-space: pre-wrap; word-break: break-word; margin: 8px 0 2px; }
.role { display: inline-block; min-width: 72px; font-weight: 600; }
.muted { color: var(--muted); }
button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 5px; background: transparent; color: var(--fg); cursor: pointer; }
.empty { color: var(--muted); font-style: italic; }
`;

/** The report's only script: "Expand all / Collapse all" on the transcript. Allowed by its hash. */
export const REPORT_JS = `(() => {
  const toggle = document.getElementById("toggle-transcript");
  if (!toggle) return;
  toggle.addEventListener("click", () => {
    const entries = document.querySelectorAll("#transcript details");
    const open = toggle.getAttribute("data-open") !== "true";
    for (const entry of entries) entry.open = open;
    toggle.setAttribute("data-open", String(open));
    toggle.textContent = open ? "Collapse all" : "Expand all";
  });
})();
`;
