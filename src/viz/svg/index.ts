/**
 * Static SVG images of the lab (`images/*.svg`): a tiny deterministic SVG builder, one drawing
 * function per image (plain inputs), and `labImages()` which feeds them from src/eplb and src/cost.
 */
export { escapeXml, el, g, text, lines, rect, line, path, pathData, packet, num, svgDocument, arrowMarker } from "./svg";
export type { Attrs, SvgDocumentOptions, TextAttrs } from "./svg";
export { epScaleSvg } from "./epScale";
export type { EpScaleInputs, EpScalePanel } from "./epScale";
export { groupGemmSvg, groupGemmIntensity } from "./groupGemm";
export type { GroupGemmInputs } from "./groupGemm";
export { nvl72Svg } from "./nvl72";
export type { Nvl72Inputs } from "./nvl72";
export { eplbBalanceSvg } from "./eplbBalance";
export type { EplbBalanceInputs, EplbBalancePanel } from "./eplbBalance";
export { labImages, epScaleImage, groupGemmImage, nvl72Image, eplbBalanceImage, IMAGE_SETTING, EIGHT_EXPERTS } from "./labImages";
export type { LabImage } from "./labImages";
