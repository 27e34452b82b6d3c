package org.metaadamw.it

import java.io.{ByteArrayOutputStream, PrintStream, PrintWriter, StringWriter}
import java.nio.file.Paths

import com.fasterxml.jackson.databind.ObjectMapper
import org.apache.spark.sql.SparkSession
import org.scalatest.funsuite.AnyFunSuite

import scala.collection.JavaConverters._
import scala.tools.nsc.Settings
import scala.tools.nsc.interpreter.{IMain, Results}

/**
 * The Zeppelin note runs: its %spark paragraphs, in order, through the Scala 2.12 interpreter that
 * Zeppelin's Spark interpreter is built on, with `spark` and `sc` bound as Zeppelin binds them (a
 * local Spark here). A paragraph that does not compile or throws fails the suite, naming it. The
 * output must hold the two %table charts, both accuracies and the reload check.
 */
class ZeppelinNoteSuite extends AnyFunSuite {
  private val notePath = Paths.get(sys.props("metaadamw.notebooks")).resolve("metaadamw-quickstart.zpln")

  test("every %spark paragraph of the Zeppelin note runs, in order, in a Scala interpreter with spark bound") {
    val root = new ObjectMapper().readTree(notePath.toFile)
    val paragraphs = root.path("paragraphs").elements().asScala.map(p => (p.path("id").asText(), p.path("text").asText())).toList
    assert(paragraphs.exists(_._2.startsWith("%md")), "the note explains itself")
    val code = paragraphs.filter(_._2.startsWith("%spark"))
    assert(code.size >= 5, s"only ${code.size} %spark paragraphs")

    val spark = SparkSession.builder().master("local[2]").appName("zeppelin-note").config("spark.ui.enabled", "false").getOrCreate()
    val settings = new Settings()
    settings.usejavacp.value = true
    val compilerOut = new StringWriter()
    val intp = new IMain(settings, new PrintWriter(compilerOut))
    val out = new ByteArrayOutputStream()
    try {
      Console.withOut(new PrintStream(out, true, "UTF-8")) {
        assert(intp.bind("spark", "org.apache.spark.sql.SparkSession", spark) == Results.Success)
        assert(intp.bind("sc", "org.apache.spark.SparkContext", spark.sparkContext) == Results.Success)
        for ((id, text) <- code) {
          val result = intp.interpret(text.stripPrefix("%spark").trim)
          assert(result == Results.Success, s"paragraph $id: $result\n${compilerOut.toString.takeRight(4000)}\n${out.toString("UTF-8").takeRight(2000)}")
        }
      }
    } finally {
      intp.close()
      spark.stop()
    }
    val printed = out.toString("UTF-8")
    info(printed.linesIterator.filterNot(_.matches("\\d+\t.*")).mkString(" | "))
    assert("%table round\t".r.findAllIn(printed).size == 2, "the two charts")
    assert("adamw\\s+test accuracy 0\\.\\d{4}".r.findFirstIn(printed).isDefined && "metaadamw\\s+test accuracy 0\\.\\d{4}".r.findFirstIn(printed).isDefined,
      printed.takeRight(2000))
    assert(printed.contains("the reloaded model predicts the same"))
  }
}
