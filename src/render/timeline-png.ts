// The timeline SVG as a PNG, with resvg (a Rust renderer whose prebuilt binary comes inside its npm
// package: nothing is downloaded at install, no browser). Loaded on first use, so a bot that never
// draws a picture never loads it, and rendered off the event loop (renderAsync runs on libuv's
// thread pool), so a picture never holds up Slack's acknowledgements.

type Resvg = typeof import('@resvg/resvg-js');

let loading: Promise<Resvg> | null = null;
const resvg = (): Promise<Resvg> => {
  loading ??= import('@resvg/resvg-js');
  return loading;
};

/**
 * PNG bytes of an SVG drawn 1:1. Text uses the system's fonts (DejaVu Sans or Liberation Sans when
 * installed); without any, the bars, marks and legend swatches are still drawn, and the message
 * text carries the same facts.
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { renderAsync } = await resvg();
  const image = await renderAsync(svg, {
    fitTo: { mode: 'original' },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
  return new Uint8Array(image.asPng());
}
