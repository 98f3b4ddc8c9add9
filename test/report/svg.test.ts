/**
 * The SVG chart helpers: tick choice, escaping, marks only for estimable values, and the
 * mapping of values to positions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { barChart, forestPlot, lineChart, niceTicks } from '../../src/report/html/svg.js';

describe('niceTicks', () => {
  it('covers the range with equal 1-2-2.5-5 x 10^k steps', () => {
    fc.assert(
      // Ranges a chart meets: at least a millionth of the values' magnitude wide.
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, w) => {
        const width = Math.max(w, 1e-6 * Math.abs(lo));
        const hi = lo + width;
        const t = niceTicks(lo, hi, 5);
        expect(t.length).toBeGreaterThanOrEqual(2);
        const step = t[1] - t[0];
        // niceTicks snaps an end within 1e-9 of a step onto the tick (no extra tick for
        // rounding noise), so coverage holds up to that: lo = -1e-9 with step 2e5 starts at 0.
        expect(t[0]).toBeLessThanOrEqual(lo + 1e-9 * Math.max(1, Math.abs(lo), step));
        expect(t[t.length - 1]).toBeGreaterThanOrEqual(hi - 1e-9 * Math.max(1, Math.abs(hi), step));
        for (let i = 1; i < t.length; i++) expect(Math.abs(t[i] - t[i - 1] - step)).toBeLessThan(step * 1e-6);
        const norm = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-12));
        expect([1, 2, 2.5, 5, 10].some((n) => Math.abs(norm - n) < 1e-6)).toBe(true);
        expect(t.length).toBeLessThanOrEqual(12);
      }),
    );
  });

  it('known cases', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.013, 0.313, 6)).toEqual([-0.1, 0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(36.008, 37.151, 5)).toEqual([36, 36.25, 36.5, 36.75, 37, 37.25]);
    // A tiny negative start with a wide range: snapped onto 0 (found by the property above).
    expect(niceTicks(-1.0000000002e-9, 9e5, 5)).toEqual([0, 200000, 400000, 600000, 800000, 1000000]);
    // A single value is widened by 10% each side: [4.5, 5.5], step 0.2 (1-2-5 on 0.2).
    expect(niceTicks(5, 5, 5)).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
  });
});

describe('charts', () => {
  it('forestPlot escapes text, draws a mark per estimable row, and places estimates on the axis', () => {
    const svg = forestPlot({
      id: 'f',
      title: 'a<b & "c"',
      desc: 'd',
      xLabel: 'r',
      valueHeader: 'r [95% CI]',
      domain: [-1, 1],
      rows: [
        { label: 'one <x>', estimate: 0.5, ci: [0, 1], n: 10 },
        { label: 'two', estimate: null, ci: null, n: 3, note: 'not estimable' },
        { label: 'three', estimate: -0.5, ci: [-1, 0], n: 12 },
      ],
    });
    expect(svg).not.toContain('<b &');
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    expect(svg).toContain('one &lt;x&gt;');
    expect((svg.match(/class="mark"/g) ?? []).length).toBe(2);
    expect(svg).toContain('not estimable');
    // Axis from -1 to 1 over 360 px starting at x = 190: 0.5 -> 460, -0.5 -> 280.
    expect(svg).toContain('rotate(45 460 ');
    expect(svg).toContain('rotate(45 280 ');
  });

  it('lineChart breaks the line at missing values and marks every value', () => {
    const svg = lineChart({ id: 'l', title: 't', desc: 'd', x: ['a', 'b', 'c', 'd'], series: [{ name: 's', values: [1, 2, null, 4] }], yLabel: 'y' });
    expect((svg.match(/<circle /g) ?? []).length).toBe(3);
    expect((svg.match(/<polyline /g) ?? []).length).toBe(1);
  });

  it('barChart: one mark per bar with a value, percent labels', () => {
    const svg = barChart({
      id: 'b',
      title: 't',
      desc: 'd',
      xLabel: 'x',
      format: 'percent',
      domain: [0, 1],
      bars: [
        { label: 'a', value: 0.25, ci: [0.1, 0.4] },
        { label: 'b', value: null },
      ],
    });
    expect((svg.match(/class="mark"/g) ?? []).length).toBe(1);
    expect(svg).toContain('25.0%');
    expect(svg).toContain('>100%<');
  });
});
