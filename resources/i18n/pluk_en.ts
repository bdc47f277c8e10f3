<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DetailPane</name>
    <message numerus="yes">
        <source>%n ungrounded</source>
        <translation>
            <numerusform>%n ungrounded</numerusform>
            <numerusform>%n ungrounded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n weak</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Thinking: %n token(s) of a {budget}-token budget</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryPanel</name>
    <message numerus="yes">
        <source>%n previous run(s).</source>
        <translation>
            <numerusform>%n previous run.</numerusform>
            <numerusform>%n previous runs.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InputsPanel</name>
    <message numerus="yes">
        <source>{id} (%n document(s))</source>
        <translation>
            <numerusform>{id} (%n document)</numerusform>
            <numerusform>{id} (%n documents)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s)</source>
        <translation>
            <numerusform>%n report</numerusform>
            <numerusform>%n reports</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cannot be read</source>
        <translation>
            <numerusform>%n cannot be read</numerusform>
            <numerusform>%n cannot be read</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with warnings</source>
        <translation>
            <numerusform>%n with warnings</numerusform>
            <numerusform>%n with warnings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n document(s) grouped</source>
        <translation>
            <numerusform>%n document grouped</numerusform>
            <numerusform>%n documents grouped</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReadingView</name>
    <message numerus="yes">
        <source>%n section(s)</source>
        <translation>
            <numerusform>%n section</numerusform>
            <numerusform>%n sections</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documents</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReadingWords</name>
    <message numerus="yes">
        <source>split in %n</source>
        <translation>
            <numerusform>split in %n</numerusform>
            <numerusform>split in %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s)</source>
        <translation>
            <numerusform>%n warning</numerusform>
            <numerusform>%n warnings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Grouped from %n document(s): {names}</source>
        <translation>
            <numerusform>Grouped from %n document: {names}</numerusform>
            <numerusform>Grouped from %n documents: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n warning(s):</source>
        <translation>
            <numerusform>%n warning:</numerusform>
            <numerusform>%n warnings:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Read in %n overlapping section(s): the report has {tokens} tokens, one section holds at most {room}.</source>
        <translation>
            <numerusform>Read in %n section: the report has {tokens} tokens, one section holds at most {room}.</numerusform>
            <numerusform>Read in %n overlapping sections: the report has {tokens} tokens, one section holds at most {room}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReliabilityView</name>
    <message numerus="yes">
        <source>Calibration of the option probabilities: ECE {ece} over %n answer(s), {bins} equal-width bins (0 is perfectly calibrated).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Calibration of the agreement across passes: ECE {ece} over %n answer(s), {bins} equal-width bins (0 is perfectly calibrated).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message numerus="yes">
        <source>%n record(s)</source>
        <translation>
            <numerusform>%n record</numerusform>
            <numerusform>%n records</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n shown</source>
        <translation>
            <numerusform>%n shown</numerusform>
            <numerusform>%n shown</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message numerus="yes">
        <source>Accepted %n field(s) of {id}.</source>
        <translation>
            <numerusform>Accepted %n field of {id}.</numerusform>
            <numerusform>Accepted %n fields of {id}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message numerus="yes">
        <source>%n of {total} reports done</source>
        <translation>
            <numerusform>%n of {total} reports done</numerusform>
            <numerusform>%n of {total} reports done</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>thinking about report {n}: %n token(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>writing the answer to report {n}: %n token(s)</source>
        <translation>
            <numerusform>writing the answer to report {n}: %n token</numerusform>
            <numerusform>writing the answer to report {n}: %n tokens</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Run finished: %n record(s)</source>
        <translation>
            <numerusform>Run finished: %n record</numerusform>
            <numerusform>Run finished: %n records</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Run stopped after %n report(s): Resume continues it</source>
        <translation>
            <numerusform>Run stopped after %n report: Resume continues it</numerusform>
            <numerusform>Run stopped after %n reports: Resume continues it</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Run {status}: %n record(s)</source>
        <translation>
            <numerusform>Run {status}: %n record</numerusform>
            <numerusform>Run {status}: %n records</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TableColumnsDialog</name>
    <message numerus="yes">
        <source>&lt;b&gt;{name}&lt;/b&gt; is a table with %n column(s). Choose the column with each report&apos;s id and the one with its text.</source>
        <translation>
            <numerusform>&lt;b&gt;{name}&lt;/b&gt; is a table with %n column. Choose the column with each report&apos;s id and the one with its text.</numerusform>
            <numerusform>&lt;b&gt;{name}&lt;/b&gt; is a table with %n columns. Choose the column with each report&apos;s id and the one with its text.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ValidationPanel</name>
    <message numerus="yes">
        <source>%n column(s). Check the id column (it must hold the run&apos;s report ids), then press Validate.</source>
        <translation>
            <numerusform>%n column. Check the id column (it must hold the run&apos;s report ids), then press Validate.</numerusform>
            <numerusform>%n columns. Check the id column (it must hold the run&apos;s report ids), then press Validate.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Validated %n field(s) of {run} against {table}.</source>
        <translation>
            <numerusform>Validated %n field of {run} against {table}.</numerusform>
            <numerusform>Validated %n fields of {run} against {table}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n disagreement(s)</source>
        <translation>
            <numerusform>%n disagreement</numerusform>
            <numerusform>%n disagreements</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message numerus="yes">
        <source>Exported %n record(s) to {path}</source>
        <translation>
            <numerusform>Exported %n record to {path}</numerusform>
            <numerusform>Exported %n records to {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The run {folder} was stopped with %n report(s) done.

Resume continues it: the finished reports are kept and not redone.
New run does every report again, in a new run folder; the stopped run stays as it is.</source>
        <translation>
            <numerusform>The run {folder} was stopped with %n report done.

Resume continues it: the finished reports are kept and not redone.
New run does every report again, in a new run folder; the stopped run stays as it is.</numerusform>
            <numerusform>The run {folder} was stopped with %n reports done.

Resume continues it: the finished reports are kept and not redone.
New run does every report again, in a new run folder; the stopped run stays as it is.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, with %n report(s) done. Resume it? The finished reports are kept and not redone. Not now leaves it in Previous runs, where Resume continues it later.</source>
        <translation>
            <numerusform>The run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, with %n report done. Resume it? The finished reports are kept and not redone. Not now leaves it in Previous runs, where Resume continues it later.</numerusform>
            <numerusform>The run &lt;b&gt;{folder}&lt;/b&gt; ({title}) {how}, with %n reports done. Resume it? The finished reports are kept and not redone. Not now leaves it in Previous runs, where Resume continues it later.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>A run is going on, with %n report(s) done so far.

Quit stops it after the report in progress. The finished reports are kept, and the next time Pluk starts it offers to resume the run without redoing them.</source>
        <translation>
            <numerusform>A run is going on, with %n report done so far.

Quit stops it after the report in progress. The finished reports are kept, and the next time Pluk starts it offers to resume the run without redoing them.</numerusform>
            <numerusform>A run is going on, with %n reports done so far.

Quit stops it after the report in progress. The finished reports are kept, and the next time Pluk starts it offers to resume the run without redoing them.</numerusform>
        </translation>
    </message>
</context>
</TS>
