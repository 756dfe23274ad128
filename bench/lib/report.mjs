// The bench's outputs besides the JSON: a latency chart (hand-written SVG) and the Markdown table the README shows.

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const PERCENTILES = [
  ['p50', '#4e79a7'],
  ['p90', '#f28e2b'],
  ['p99', '#e15759'],
];

/**
 * Grouped horizontal bars: one group per row ({ label, p50, p90, p99 } in ms), on a log scale, under a
 * title and a smaller subtitle (the run's machine and settings).
 */
export function latencySvg(rows, title, subtitle = '') {
  const left = 230;
  const width = 820;
  const plot = width - left - 70;
  const barH = 9;
  const groupH = barH * PERCENTILES.length + 10;
  const top = 50;
  const height = top + rows.length * groupH + 40;
  const values = rows.flatMap((row) => PERCENTILES.map(([key]) => row[key])).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const x = (v) => left + (plot * Math.log10(Math.max(v, lo) / lo)) / Math.log10(hi / lo);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="10" y="28" font-size="10" fill="#555">${escape(subtitle)}</text>`,
  ];
  PERCENTILES.forEach(([key, colour], i) => {
    parts.push(`<rect x="${left + i * 70}" y="30" width="10" height="10" fill="${colour}"/>`);
    parts.push(`<text x="${left + i * 70 + 14}" y="39">${key}</text>`);
  });
  for (let tick = lo; tick <= hi; tick *= 10) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${height - 30}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(tick)}" y="${height - 15}" text-anchor="middle">${tick} ms</text>`);
  }
  rows.forEach((row, r) => {
    const y0 = top + r * groupH;
    parts.push(`<text x="${left - 8}" y="${y0 + groupH / 2}" text-anchor="end">${escape(row.label)}</text>`);
    PERCENTILES.forEach(([key, colour], i) => {
      const v = row[key];
      if (!(v >= 0)) return;
      const y = y0 + i * barH;
      parts.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left)}" height="${barH - 1}" fill="${colour}"/>`,
      );
      parts.push(`<text x="${x(v) + 4}" y="${y + barH - 1}" font-size="9">${v}</text>`);
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A Markdown table of rows of cells, the first row its header. */
export function markdownTable([header, ...rows]) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:'))),
    ...rows.map(line),
  ].join('\n');
}
