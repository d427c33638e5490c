// Package matcher screens names against watchlists across scripts and
// transliteration conventions, and explains every score.
//
// A name in any script is normalised (NFKC, case folding, diacritics,
// punctuation) and split into words. Each word is read into a phonetic
// key on which its spellings meet — Cyrillic under ICAO Doc 9303 and the
// BGN/PCGN, French, German and scholarly conventions (Абдуллаев,
// Abdullaev, Abdullayev, Abdoullaev, Abdullajew), Greek by ELOT 743,
// Arabic by a romanisation that keeps its long vowels — and into a
// consonant skeleton on which Arabic, which writes no short vowels, meets
// Latin (محمد, Muhammad, Mohammed, Mohamed all give "mhmd"). Particles
// (al-, bin, abu, van, de), compounds written joined or apart
// (Abdulrahman, Abd al-Rahman), initials, any word order and missing or
// extra words are handled when two names are aligned word by word; rare
// words weigh more than common ones such as Muhammad or Ali. Words left
// over are compared again as written, so that words split in another
// place (Abd Ulrahman, Abdul Rahman), an article run in (Alqaida,
// Al-Qaida) and a letter off inside a compound (Abdoulae, Abdoulaye)
// still meet; a mistyped particle (been, bni) is the particle.
//
// Compare scores a Query against one Record: the name, then date of
// birth, nationality, gender and document number, each a Component with
// its weight, score and a short text, combined into one score in [0,1].
// An Index holds records for screening many: candidates come from
// phonetic keys, skeletons and skeletons one consonant apart, and
// document numbers, so a query never scans the whole list.
//
// The package does no I/O and knows nothing of the rest of ctis: records
// carry an opaque Tag for the caller.
package matcher
