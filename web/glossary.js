// The glossary page: renders docs/glossary.md (served beside the page as glossary.md) with the
// little Markdown it uses — headings, paragraphs, lists, `code`, **bold** and links.
import { escapeHtml } from './format.js';

/** A heading's anchor: "Flows and stocks" → "flows-and-stocks". */
export function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Inline Markdown of one block, as HTML: `code`, **bold** and [text](target). A link to another
 * of the project's .md files becomes plain text naming it, since the server has only this one.
 */
function inline(text) {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, (all, label, target) =>
      /\.md(#.*)?$/.test(target) ? `<span class="doc-ref" title="docs/${target}">${label}</span>` : `<a href="${target}">${label}</a>`);
}

/** The glossary's Markdown as HTML: `#`/`##` headings (with ids), paragraphs and `- ` lists. */
export function renderMarkdown(markdown) {
  const out = [];
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
    if (list) out.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    list = null;
  };
  for (const line of markdown.split('\n')) {
    const heading = line.match(/^(#{1,3}) (.*)$/);
    if (heading) {
      flush();
      const level = heading[1].length;
      out.push(`<h${level} id="${slug(heading[2])}">${inline(heading[2])}</h${level}>`);
    } else if (line.startsWith('- ')) {
      if (paragraph.length) flush();
      list = list || [];
      list.push(line.slice(2));
    } else if (list && /^ {2}\S/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}

async function show() {
  const box = document.getElementById('glossary-text');
  try {
    const response = await fetch('glossary.md');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    box.innerHTML = renderMarkdown(await response.text());
  } catch (e) {
    box.textContent = `The glossary could not be loaded: ${e.message}`;
    return;
  }
  // The page was opened at a term (glossary.html#bust-rule): scroll there now that it exists.
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.classList.add('current'); // :target does not match an element added after loading
      target.scrollIntoView();
    }
  }
}

if (typeof document !== 'undefined') show();
