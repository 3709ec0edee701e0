// What a reader meets on one page at the current width and scheme: one string per
// problem. Run by tests/test_browser.py at 1280 and 390 px, light and dark.
() => {
    const out = [], content = document.querySelector('.md-content') || document.body;
    const box = e => e.getBoundingClientRect();
    const px = v => parseFloat(v) || 0;
    const width = window.innerWidth, phone = width < 720;
    const rgba = c => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                              return (x + 0.05) / (y + 0.05); };
    const visible = e => e.offsetParent !== null;
    // Shell blocks: the copy text has no prompt, no shown output; no text under the icon.
    for (const block of content.querySelectorAll(
            '.language-console, .jupyter-wrapper div.highlight:has(pre > span.gp)')) {
        const code = block.querySelector('code') || block.querySelector('pre');
        const holder = code.closest('[data-copy]');
        const copied = holder ? holder.getAttribute('data-copy') : code.innerText;
        const shown = new Set([...block.querySelectorAll('.go')].map(e => e.innerText.trim()));
        for (const line of copied.split('\n')) {
            if (line.trimStart().startsWith('$') || shown.has(line.trim()))
                out.push(`shell block copies ${JSON.stringify(line)}`);
        }
        const button = block.querySelector('[data-md-type="copy"], .md-clipboard');
        if (button && visible(button)) {
            const b = box(button), range = document.createRange();
            range.selectNodeContents(code);
            for (const r of range.getClientRects()) {
                if (r.width && r.right > b.left + 1 && r.left < b.right - 1 &&
                    r.bottom > b.top + 1 && r.top < b.bottom - 1) {
                    out.push(`shell text under the copy button: ${code.innerText.slice(0, 40)}`);
                    break;
                }
            }
        }
    }
    // TeX left as text once KaTeX has run (prose only).
    const clone = content.cloneNode(true);
    clone.querySelectorAll('pre, code, .katex, style, script, .clipboard-copy-txt')
         .forEach(e => e.remove());
    for (const m of clone.innerText.match(/\\[A-Za-z]{2,}/g) || [])
        out.push(`TeX shown raw: ${m}`);
    // Output blocks: labelled, no copy button, a legible label.
    for (const o of content.querySelectorAll('.highlight.output')) {
        const label = getComputedStyle(o, '::before');
        if (label.content !== '"Output"') out.push(`output block without its label`);
        if (o.querySelector('[data-md-type="copy"], .md-clipboard'))
            out.push(`output block with a copy button: ${o.innerText.slice(0, 40)}`);
        const c = ratio(rgba(label.color), rgba(label.backgroundColor));
        if (c < 4.5) out.push(`output label contrast ${c.toFixed(2)}`);
    }
    // Lab stderr (timings) shown as ordinary output, not on an error color.
    for (const e of content.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')) {
        const bg = rgba(getComputedStyle(e).backgroundColor);
        if (bg.length === 3 || bg[3] > 0) out.push(`stderr output on ${getComputedStyle(e).backgroundColor}`);
    }
    // Exercise boxes and "In this chapter" at body size.
    const body = content.querySelector('.md-typeset > p');
    const bodySize = body ? px(getComputedStyle(body).fontSize) : 16;
    for (const p of content.querySelectorAll('.admonition > p:not(.admonition-title), details > p:not(summary)')) {
        if (px(getComputedStyle(p).fontSize) < bodySize - 0.5) {
            out.push(`box text at ${getComputedStyle(p).fontSize} against ${bodySize}px`); break; }
    }
    const bodyCode = content.querySelector('.md-typeset > .highlight pre code');
    for (const c of content.querySelectorAll('details .highlight pre code, .admonition .highlight pre code')) {
        if (bodyCode && px(getComputedStyle(c).fontSize) < px(getComputedStyle(bodyCode).fontSize) - 0.5) {
            out.push(`solution code at ${getComputedStyle(c).fontSize}`); break; }
    }
    // Figures: numbered, captioned, smallest label >= 9 px at this width.
    let n = 0;
    for (const f of content.querySelectorAll('figure.book-figure')) {
        n += 1;
        const cap = f.querySelector('figcaption');
        if (!cap || !cap.innerText.startsWith(`Figure ${n}.`)) out.push(`figure ${n} caption`);
        const img = f.querySelector('img'), pt = px(f.dataset.minFontPt), w = px(f.dataset.widthPt);
        const label = pt * box(img).width / w;
        if (!(label >= 9)) out.push(`figure ${n}: smallest label ${label.toFixed(1)} px`);
    }
    if (content.querySelectorAll('img[src*="figures/"]').length !== n)
        out.push('a figure outside <figure>');
    // A chapter's code at desktop width: every block fits the text column (88 columns),
    // so none scrolls sideways.
    if (!phone && /\/part\d\//.test(location.pathname)) {
        for (const c of content.querySelectorAll('.highlight pre > code')) {
            if (visible(c) && c.scrollWidth > c.clientWidth + 1)
                out.push(`code scrolls sideways by ${c.scrollWidth - c.clientWidth} px: ` +
                         JSON.stringify(c.innerText.split('\n')[0].slice(0, 40)));
        }
    }
    if (!phone) return out;
    // Phones: display math padded from the edge, scrolls, with a cue where it overflows.
    for (const m of content.querySelectorAll('div.arithmatex')) {
        const k = m.querySelector('.katex-display') || m;
        if (box(k).left < 4 || px(getComputedStyle(m).paddingLeft) < 8)
            out.push(`display math touches the screen edge`);
        if (m.scrollWidth > m.clientWidth + 1) {
            const s = getComputedStyle(m);
            if (!/auto|scroll/.test(s.overflowX)) out.push('wide math does not scroll');
            const cues = s.backgroundImage.split('radial-gradient(').slice(1).join(' ');
            const alpha = Math.max(0, ...[...cues.matchAll(/rgba\(([^)]*)\)/g)]
                .map(x => +x[1].split(',')[3]));
            if (alpha < 0.3) out.push(`wide math without a visible scroll cue (${alpha})`);
        }
    }
    // Tables: the key column stays in view (sticky), or the rows stack.
    for (const t of content.querySelectorAll('.md-typeset__table table')) {
        // Material makes the table itself, or a wrapper, the box that scrolls.
        const boxes = [t, t.closest('.md-typeset__scrollwrap'), t.closest('.md-typeset__table')];
        if (!boxes.some(w => w && w.scrollWidth > w.clientWidth + 1)) continue;
        const first = t.querySelector('tbody td');
        if (first && getComputedStyle(first).position !== 'sticky' &&
            getComputedStyle(t).display !== 'block')
            out.push(`a wide table loses its first column: ${t.innerText.slice(0, 30)}`);
    }
    // Lab cells use the whole width of the column.
    const inner = content.querySelector('.md-content__inner');
    if (!inner) return out;
    const column = box(inner);
    for (const c of content.querySelectorAll('.jupyter-wrapper .jp-InputArea-editor')) {
        if (box(c).width < column.width - 4) {
            out.push(`lab cell ${Math.round(box(c).width)} px wide in ${Math.round(column.width)}`);
            break; }
    }
    return out;
}
