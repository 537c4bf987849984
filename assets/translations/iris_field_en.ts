<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>HistoryPanel</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/history_panel.py" line="+528"/>
        <source>Brought %n observation(s) back into the history.</source>
        <translation>
            <numerusform>Brought %n observation back into the history.</numerusform>
            <numerusform>Brought %n observations back into the history.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+28"/>
        <source>Exported %n observation(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n observation to {path}.</numerusform>
            <numerusform>Exported %n observations to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/qt_main_window.py" line="+479"/>
        <source>%Ln pending</source>
        <translation>
            <numerusform>%Ln pending</numerusform>
            <numerusform>%Ln pending</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%Ln failed</source>
        <translation>
            <numerusform>%Ln failed</numerusform>
            <numerusform>%Ln failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelDeliveryController</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/model_controller.py" line="+104"/>
        <source>⚠ confirmed %n day(s) ago</source>
        <translation>
            <numerusform>⚠ confirmed %n day ago</numerusform>
            <numerusform>⚠ confirmed %n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ModelDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/model_dialog.py" line="+78"/>
        <source>%n day(s) ago ({date})</source>
        <translation>
            <numerusform>%n day ago ({date})</numerusform>
            <numerusform>%n days ago ({date})</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProblemWords</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/problem_words.py" line="+179"/>
        <source>%Ln observation(s) were recovered from a damaged history; the original is kept as {file}.</source>
        <translation>
            <numerusform>%Ln observation was recovered from a damaged history; the original is kept as {file}.</numerusform>
            <numerusform>%Ln observations were recovered from a damaged history; the original is kept as {file}.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>%Ln could not be read.</source>
        <translation>
            <numerusform>%Ln could not be read.</numerusform>
            <numerusform>%Ln could not be read.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RecentlyDeletedDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/recently_deleted_dialog.py" line="+177"/>
        <source>The %n most recently deleted observation(s), the last deleted first.</source>
        <translation>
            <numerusform>The observation deleted most recently.</numerusform>
            <numerusform>The %n most recently deleted observations, the last deleted first.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n deleted in all.</source>
        <translation>
            <numerusform>%n deleted in all.</numerusform>
            <numerusform>%n deleted in all.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n deleted observation(s), the last deleted first. Choose those to bring back.</source>
        <translation>
            <numerusform>%n deleted observation. Choose it to bring it back.</numerusform>
            <numerusform>%n deleted observations, the last deleted first. Choose those to bring back.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncCounts</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/sync_status.py" line="+74"/>
        <source>%Ln not synced</source>
        <translation>
            <numerusform>%Ln not synced</numerusform>
            <numerusform>%Ln not synced</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%Ln failed: the history shows why on each row.</source>
        <translation>
            <numerusform>%Ln failed: the history shows why on its row.</numerusform>
            <numerusform>%Ln failed: the history shows why on each row.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%Ln belong(s) to another server or experiment: see the Sync menu.</source>
        <translation>
            <numerusform>%Ln belongs to another server or experiment: see the Sync menu.</numerusform>
            <numerusform>%Ln belong to another server or experiment: see the Sync menu.</numerusform>
        </translation>
    </message>
</context>
</TS>
