package io.memsidecar.server.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object per line for every log record. Access-log records already are JSON objects
 * and get the time and level merged in.
 */
public final class JsonLogFormatter extends Formatter {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(LogRecord record) {
        var line = new LinkedHashMap<String, Object>();
        line.put("time", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", level(record.getLevel()));
        line.put("logger", record.getLoggerName());
        String message = formatMessage(record);
        try {
            if (message.startsWith("{")) {
                line.putAll(JSON.readValue(message, LinkedHashMap.class));
            } else {
                line.put("msg", message);
            }
            if (record.getThrown() != null) {
                var sw = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(sw));
                line.put("stack", sw.toString());
            }
            return JSON.writeValueAsString(line) + System.lineSeparator();
        } catch (Exception e) {
            return "{\"level\":\"ERROR\",\"msg\":\"unformattable log record\"}" + System.lineSeparator();
        }
    }

    private static String level(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (level.intValue() >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}
