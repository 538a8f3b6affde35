/**
 * A small strict XML well-formedness checker for the generated SVGs (no dependency): one root
 * element, balanced and properly nested tags, quoted unique attributes, only the five predefined
 * entities or numeric character references, no stray `<` or `&` in text.
 * Returns the list of problems (empty = well-formed) and the element names in document order.
 */
export function checkXml(src: string): { errors: string[]; elements: string[] } {
  const errors: string[] = [];
  const elements: string[] = [];
  const stack: string[] = [];
  let i = 0;
  let roots = 0;
  const name = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
  const checkText = (t: string, at: number) => {
    const amp = /&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/.exec(t);
    if (amp) errors.push(`bare & at ${at + amp.index}`);
    if (t.includes("<")) errors.push(`stray < at ${at}`);
  };
  if (src.startsWith("<?xml")) {
    const end = src.indexOf("?>");
    if (end < 0) return { errors: ["unterminated XML declaration"], elements };
    i = end + 2;
  }
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const textEnd = lt < 0 ? src.length : lt;
    const t = src.slice(i, textEnd);
    if (stack.length === 0 && t.trim() !== "") errors.push(`text outside the root at ${i}`);
    checkText(t, i);
    if (lt < 0) break;
    if (src.startsWith("<!--", lt)) {
      const end = src.indexOf("-->", lt);
      if (end < 0) {
        errors.push(`unterminated comment at ${lt}`);
        break;
      }
      i = end + 3;
      continue;
    }
    const gt = src.indexOf(">", lt);
    if (gt < 0) {
      errors.push(`unterminated tag at ${lt}`);
      break;
    }
    const tag = src.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const n = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== n) errors.push(`</${n}> at ${lt} closes <${open ?? "nothing"}>`);
    } else {
      const selfClosing = tag.endsWith("/");
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = name.exec(body);
      if (!m) {
        errors.push(`bad tag name at ${lt}`);
        i = gt + 1;
        continue;
      }
      if (stack.length === 0) roots++;
      elements.push(m[0]);
      let rest = body.slice(m[0].length);
      const seen = new Set<string>();
      const attr = /^\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/;
      for (;;) {
        const a = attr.exec(rest);
        if (!a) break;
        if (seen.has(a[1])) errors.push(`duplicate attribute ${a[1]} on <${m[0]}> at ${lt}`);
        seen.add(a[1]);
        checkText(a[3] ?? a[4] ?? "", lt);
        rest = rest.slice(a[0].length);
      }
      if (rest.trim() !== "") errors.push(`malformed attributes on <${m[0]}> at ${lt}: ${JSON.stringify(rest.slice(0, 40))}`);
      if (!selfClosing) stack.push(m[0]);
    }
    i = gt + 1;
  }
  if (stack.length > 0) errors.push(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) errors.push(`expected exactly one root element, found ${roots}`);
  return { errors, elements };
}
