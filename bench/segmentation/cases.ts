/**
 * Hand-written sentence-boundary cases for comparing segmenters (bench/segmentation/compare.ts).
 * Each case is its sentences in order and the text between them; the gold boundaries are the
 * sentence ends. Written from common English (and CJK) usage before any segmenter was run on them,
 * and not edited to suit one: where conventions differ (a list item without a final period is a
 * sentence of its own; a quoted question ending a reported sentence is not a boundary), the case
 * says which. Line breaks inside a case are prose layout; a blank line is a paragraph break.
 */
export interface SegmentationCase {
  category: 'abbreviations' | 'initials' | 'numbers' | 'quotes' | 'brackets' | 'lists' | 'code' | 'cjk' | 'ellipsis' | 'urls' | 'wrapped' | 'plain';
  sentences: string[];
  /** What separates consecutive sentences (default one space). */
  joiner?: string;
}

export const CASES: SegmentationCase[] = [
  { category: 'plain', sentences: ['The port opened in May.', 'Ships arrived within a week.', 'Trade doubled.'] },
  { category: 'plain', sentences: ['Is it finished?', 'Not yet!', 'We will see.'] },
  { category: 'plain', sentences: ['She said nothing.', 'Then she left the room.'] },
  { category: 'abbreviations', sentences: ['Dr. Smith met Mr. Jones at noon.', 'They talked for an hour.'] },
  { category: 'abbreviations', sentences: ['Prof. Alvarez and Sen. Baker disagreed.', 'The vote was delayed.'] },
  { category: 'abbreviations', sentences: ['Bring tools, e.g. hammers and saws.', 'Leave the rest.'] },
  { category: 'abbreviations', sentences: ['The firm is Acme Corp. in Ohio.', 'It employs 300 people.'] },
  { category: 'abbreviations', sentences: ['He lives on Baker St. near the park.', 'His sister lives abroad.'] },
  { category: 'abbreviations', sentences: ['See Fig. 3 for the results.', 'Table 2 lists the costs.'] },
  { category: 'abbreviations', sentences: ['The meeting ended at 5 p.m. on Friday.', 'Nobody stayed late.'] },
  { category: 'abbreviations', sentences: ['They moved to the U.S. in 1990.', 'Their son was born there.'] },
  { category: 'abbreviations', sentences: ['Compare apples vs. oranges.', 'Both are fruit.'] },
  { category: 'abbreviations', sentences: ['It weighed approx. two tons.', 'The crane lifted it easily.'] },
  { category: 'abbreviations', sentences: ['Gen. Patton led the army.', 'Col. Davis followed.'] },
  { category: 'initials', sentences: ['J. R. R. Tolkien wrote the book.', 'It sold millions.'] },
  { category: 'initials', sentences: ['The author, George R. Martin, spoke first.', 'Questions followed.'] },
  { category: 'initials', sentences: ['Her mentor was A. Turing.', 'She often said so.'] },
  { category: 'numbers', sentences: ['The price rose by 3.5 percent.', 'Analysts expected 2.1.'] },
  { category: 'numbers', sentences: ['Version 2.4.1 fixed the bug.', 'Users were relieved.'] },
  { category: 'numbers', sentences: ['It cost $1.2 billion in 2024.', 'The budget was larger.'] },
  { category: 'numbers', sentences: ['Chapter 4. The Return', 'It begins at night.'], joiner: '\n' },
  { category: 'quotes', sentences: ['"We will win," she said.', 'The crowd cheered.'] },
  { category: 'quotes', sentences: ['He asked, "Where is the station?"', 'Nobody knew.'] },
  { category: 'quotes', sentences: ['"Stop!" he shouted.', 'The car stopped.'] },
  { category: 'quotes', sentences: ['The minister called it "a clear signal."', 'Critics disagreed.'] },
  { category: 'quotes', sentences: ['\u201cIt is over,\u201d she wrote.', '\u201cWe lost.\u201d'] },
  { category: 'quotes', sentences: ["'Fine,' he said.", "'Go then.'"] },
  { category: 'brackets', sentences: ['The river floods every year (see the map).', 'Farmers plan for it.'] },
  { category: 'brackets', sentences: ['(The report was late.)', 'Nobody was surprised.'] },
  { category: 'brackets', sentences: ['The results [Table 1] were clear.', 'We stopped the trial.'] },
  { category: 'lists', sentences: ['Shopping list:', '- eggs', '- flour', '- milk'], joiner: '\n' },
  { category: 'lists', sentences: ['Steps:', '1. Open the box.', '2. Remove the tray.', '3. Plug it in.'], joiner: '\n' },
  { category: 'lists', sentences: ['* First point', '* Second point', '* Third point'], joiner: '\n' },
  { category: 'lists', sentences: ['Name: Ada Lovelace', 'Born: 1815', 'Field: mathematics'], joiner: '\n' },
  { category: 'lists', sentences: ['a) red', 'b) green', 'c) blue'], joiner: '\n' },
  { category: 'code', sentences: ['Call parse() before render().', 'Then check the log.'] },
  { category: 'code', sentences: ['Set config.max_length to 512.', 'Restart the server.'] },
  { category: 'code', sentences: ['Open src/index.ts in the editor.', 'Find the main function.'] },
  { category: 'code', sentences: ['const x = a.b.c;', 'return x;'], joiner: '\n' },
  { category: 'code', sentences: ['Run npm install.', 'Then run npm test.'] },
  { category: 'cjk', sentences: ['今日は晴れです。', '明日は雨でしょう。'], joiner: '' },
  { category: 'cjk', sentences: ['我们明天出发。', '你来吗？', '好的！'], joiner: '' },
  { category: 'cjk', sentences: ['東京は大きい。', '大阪も大きい。'], joiner: '' },
  { category: 'cjk', sentences: ['서울은 크다.', '부산도 크다.'] },
  { category: 'ellipsis', sentences: ['He waited... and waited.', 'Nothing happened.'] },
  { category: 'ellipsis', sentences: ['I wonder\u2026', 'Maybe later.'] },
  { category: 'ellipsis', sentences: ['Well... I suppose so.', 'Let us go.'] },
  { category: 'urls', sentences: ['Visit www.example.com for details.', 'The site is free.'] },
  { category: 'urls', sentences: ['Write to ada.lovelace@example.org today.', 'She answers quickly.'] },
  { category: 'urls', sentences: ['The file is at https://example.com/a.b/c.html now.', 'Download it.'] },
  { category: 'wrapped', sentences: ['The harbour authority said on Tuesday that it had\napproved the expansion of the western terminal.', 'Work begins in\nSeptember.'] },
  { category: 'wrapped', sentences: ['First paragraph ends here.', 'Second paragraph starts here.'], joiner: '\n\n' },
  { category: 'wrapped', sentences: ['A title without a period', 'The first sentence of the text.'], joiner: '\n\n' },
  { category: 'wrapped', sentences: ['Port of Rotterdam Approves Expansion', 'ROTTERDAM, March 4 \u2014 The authority approved it.'], joiner: '\n\n' },
];

/** The text of a case and its gold boundaries (UTF-16 offsets of each sentence's end). */
export function caseText(item: SegmentationCase): { text: string; ends: number[] } {
  const joiner = item.joiner ?? ' ';
  let text = '';
  const ends: number[] = [];
  item.sentences.forEach((sentence, i) => {
    if (i > 0) text += joiner;
    text += sentence;
    ends.push(text.length);
  });
  return { text, ends };
}
