/** A minimal, valid moodle_backup.xml for tests that build backups by hand. */

/** A minimal moodle_backup.xml that passes Moodle's moodle2 detection. */
export function minimalManifest(extraInformation = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup>
  <information>
    <name>test.mbz</name>
    <moodle_version>2023100900</moodle_version>
    <moodle_release>4.3 (Build: 20231009)</moodle_release>
    <backup_version>2023100900</backup_version>
    <backup_release>4.3</backup_release>
    <backup_date>1700000000</backup_date>
    <original_course_id>2</original_course_id>
    <original_course_fullname>Test course</original_course_fullname>
    <original_course_shortname>TC</original_course_shortname>
    <original_course_startdate>1700000000</original_course_startdate>
    ${extraInformation}
    <details>
      <detail backup_id="0123456789abcdef0123456789abcdef">
        <type>course</type>
        <format>moodle2</format>
        <interactive>1</interactive>
        <mode>10</mode>
        <execution>1</execution>
        <executiontime>0</executiontime>
      </detail>
    </details>
    <contents>
      <course><courseid>2</courseid><title>TC</title><directory>course</directory></course>
    </contents>
    <settings>
      <setting><level>root</level><name>users</name><value>0</value></setting>
    </settings>
  </information>
</moodle_backup>
`;
}
